// Shared jest setup. Tests never reach the network: the emulator runs in-process on port 0.
import { Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest"; // typings of cdktf's matchers (toHaveResourceWithProperties, ...)
import { removeTempDirs } from "./helpers/temp";

process.env.NO_COLOR = "1";
// cdktf's matchers: toHaveResource(WithProperties), toHaveProvider, toBeValidTerraform, ...
Testing.setupJest();

// Temporary directories of the file's tests go with it.
afterAll(removeTempDirs);
