/**
 * An integration's config name (`okta`, `zoom`…). The names themselves are the provider registry's keys
 * (src/providers/registry.ts), checked when the config is loaded; the domain does not list them.
 */
export type IntegrationName = string
