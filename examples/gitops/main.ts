/** The app: one stack per environment (`esinfer plan --stack prod` plans one of them). */
import { App } from "cdktf";
import { ENVIRONMENTS } from "./environments";
import { SearchStack } from "./search-stack";

const app = new App();
for (const [name, env] of Object.entries(ENVIRONMENTS)) new SearchStack(app, name, env);
app.synth();
