import { resourceAttributeMap } from './resource-attributes.field.js';

/** The variables that name this service and version it, each with its resource attribute. */
const IDENTITY = [
  ['OTEL_SERVICE_NAME', 'service.name'],
  ['SERVICE_VERSION', 'service.version'],
] as const;

type IdentityName = (typeof IDENTITY)[number][0];
type IdentityFields = Record<IdentityName, string> & { OTEL_RESOURCE_ATTRIBUTES?: string };

/** The variables the identity reads: a problem with one of them is its own field's to say. */
export const IDENTITY_VARIABLES = [
  ...IDENTITY.map(([name]) => name),
  'OTEL_RESOURCE_ATTRIBUTES',
] as const;

/**
 * OTEL_SERVICE_NAME and SERVICE_VERSION against `service.name` and `service.version` in
 * OTEL_RESOURCE_ATTRIBUTES: spans took the attribute's value (the SDK's environment detector
 * put it on top) while /version, /api/info, logs and the OpenAPI documents reported the
 * variable's, or its default. Both set and different is a contradiction, said once under the
 * variable with the attribute's value (the specification lets OTEL_SERVICE_NAME win; two names
 * for one service are a mistake either way). `isSet` tells a default (`0.1.0`, `rampart`) from
 * a value set: without it (the schema parsed apart from an environment) every value counts as
 * set. An empty attribute value is refused: it would be the name or version reported.
 */
export function identityProblems(
  config: Readonly<IdentityFields>,
  isSet: (name: string) => boolean = () => true,
): { name: string; message: string }[] {
  const attributes = resourceAttributeMap(config.OTEL_RESOURCE_ATTRIBUTES);
  return IDENTITY.flatMap(([name, attribute]) => {
    const value = attributes.get(attribute);
    if (value === '') {
      return [{ name: 'OTEL_RESOURCE_ATTRIBUTES', message: `${attribute} is empty` }];
    }
    if (value === undefined || !isSet(name) || value === config[name]) return [];
    return [
      {
        name,
        message:
          `differs from ${attribute} in OTEL_RESOURCE_ATTRIBUTES (${JSON.stringify(value)}): ` +
          'set one of them, or both alike',
      },
    ];
  });
}

/**
 * `config` with OTEL_SERVICE_NAME and SERVICE_VERSION taken from OTEL_RESOURCE_ATTRIBUTES
 * where only it carries them, so every reader of the configuration (/version, logs, spans)
 * reports what the spans' resource says. Where both carry one, identityProblems holds them equal.
 */
export function withResourceIdentity<T extends IdentityFields>(
  config: T,
  isSet: (name: string) => boolean = () => true,
): T {
  const attributes = resourceAttributeMap(config.OTEL_RESOURCE_ATTRIBUTES);
  for (const [name, attribute] of IDENTITY) {
    const value = attributes.get(attribute);
    if (value !== undefined && value !== '' && !isSet(name)) config[name] = value as T[typeof name];
  }
  return config;
}
