/**
 * Baseline (b): the per-resource model of a Terraform provider, with Terraform's default parallelism of 10
 * (`terraform plan -parallelism=10`). Plan refreshes every resource with its own `GET /_inference/{id}`; apply
 * reads each resource, then creates it (`PUT`) when it is missing.
 */
import { perEndpoint } from "./official-client";

export const terraform = perEndpoint(10);
