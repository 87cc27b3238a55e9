/**
 * The quickstart app (run by cdktf.json: `cdktf synth`, `esinfer plan`, `npm run demo`). The context value
 * `rerankTopN` (cdktf.json "context", or CDKTF_CONTEXT_JSON) sets the rerank endpoint's top_n.
 */
import { App } from "cdktf";
import { QuickstartStack } from "./stack";

const app = new App();
const topN = app.node.tryGetContext("rerankTopN");
new QuickstartStack(app, "quickstart", topN === undefined ? {} : { rerankTopN: Number(topN) });
app.synth();
