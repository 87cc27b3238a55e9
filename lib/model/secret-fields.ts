/** Where the secrets of an endpoint are: every secret field by request-shape path, with its reference. */
import { getTaskSpec } from "../catalogue";
import { isSecretValue, resolveSecret, type SecretSource, type SecretValue } from "./secrets";
import { isPlainObject, settingsFacts } from "./schema-walk";

export interface SecretField {
  /** e.g. `service_settings.api_key`, `service_settings.secret_parameters.token`. */
  readonly path: string;
  readonly value: SecretValue;
}

export function secretFields(endpoint: {
  service: string;
  task_type: string;
  service_settings: Readonly<Record<string, unknown>>;
}): SecretField[] {
  const settings = endpoint.service_settings;
  const fields: SecretField[] = [];
  // In the settings' key order (the catalogue's order may differ).
  const secrets = settingsFacts(getTaskSpec(endpoint.service, endpoint.task_type)?.serviceSettings).secrets;
  for (const key of Object.keys(settings)) {
    const field = secrets.find((f) => f.key === key);
    if (!field) continue;
    const value = settings[key];
    if (field.map && isPlainObject(value)) {
      for (const [name, v] of Object.entries(value))
        if (isSecretValue(v)) fields.push({ path: `service_settings.${key}.${name}`, value: v });
    } else if (isSecretValue(value)) fields.push({ path: `service_settings.${key}`, value });
  }
  return fields;
}

/** Whether a top-level service setting of this service and task type is a secret. */
export function isSecretSetting(service: string, taskType: string, key: string): boolean {
  return settingsFacts(getTaskSpec(service, taskType)?.serviceSettings).secrets.some((f) => f.key === key);
}

/**
 * `service_settings` with every secret reference replaced by its value: the body of a request, built only at the
 * moment it is sent. `onResolved` sees each value (to register it for redaction).
 */
export function resolveServiceSettings(
  endpoint: { service: string; task_type: string; service_settings: Readonly<Record<string, unknown>> },
  source: SecretSource,
  onResolved: (value: string) => void = () => undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(
    Object.fromEntries(Object.entries(endpoint.service_settings).filter(([, v]) => !isSecretValue(v))),
  );
  for (const field of secretFields(endpoint)) {
    const value = resolveSecret(field.value, source);
    onResolved(value);
    const [, key, name] = field.path.split(".");
    if (name === undefined) out[key!] = value;
    else out[key!] = { ...(out[key!] as Record<string, unknown> | undefined), [name]: value };
  }
  // Keep non-secret entries that sat inside a secret map (none today) and the original key order.
  return Object.fromEntries(Object.keys(endpoint.service_settings).map((k) => [k, out[k]]));
}
