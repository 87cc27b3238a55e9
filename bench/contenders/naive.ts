/**
 * Baseline (a): the script people write with the official client. For each endpoint, one after the other:
 * GET it; if it is missing, PUT it. Its "plan" is the same loop without the PUT.
 */
import { perEndpoint } from "./official-client";

export const naive = perEndpoint(1);
