/** Three stacks from one definition: `esinfer plan --stack prod` (or `cdktf diff prod`) reviews one environment. */
import { App } from "cdktf";
import { ENVIRONMENTS } from "./environments";
import { SearchStack } from "./search-stack";

const app = new App();
for (const [name, env] of Object.entries(ENVIRONMENTS)) new SearchStack(app, name, env);
app.synth();
