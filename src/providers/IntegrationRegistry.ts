import type { ProviderAdapter } from "./ProviderAdapter.ts"

/** Integrations by config name; each adapter is listed under its own `integration`. */
export interface IntegrationRegistry<Name extends string = string> {
  readonly names: ReadonlyArray<Name>
  readonly adapters: { readonly [N in Name]: ProviderAdapter }
  /** The adapter of a registered name; undefined for any other string. */
  readonly lookup: (name: string) => ProviderAdapter | undefined
}

type Listed<T> = { readonly [K in keyof T]: ProviderAdapter & { readonly integration: K } }

const make = <const T extends Record<string, ProviderAdapter>>(adapters: T & Listed<T>) => {
  const names = Object.keys(adapters).sort() as Array<keyof T & string>
  return {
    names,
    adapters,
    lookup: (name: string) => (Object.hasOwn(adapters, name) ? adapters[name] : undefined),
  } satisfies IntegrationRegistry<keyof T & string> as IntegrationRegistry<keyof T & string>
}

export const IntegrationRegistry = {
  /** A registry of these adapters, keyed by their names. */
  of: make,
  /** `base` with more integrations: a registry built the same way, e.g. a test's throw-away provider. */
  extend: <Name extends string, const T extends Record<string, ProviderAdapter>>(
    base: IntegrationRegistry<Name>,
    more: T & Listed<T>,
  ): IntegrationRegistry<Name | (keyof T & string)> =>
    make({ ...base.adapters, ...more } as Record<string, ProviderAdapter> &
      Listed<Record<string, ProviderAdapter>>) as IntegrationRegistry<Name | (keyof T & string)>,
}
