import { Schema } from "effect"
import { UnifiedAction } from "./Activity.ts"

/** The spec's filter parameters of `GET /unified/user-directory/activities` (all but the account and cursor). */
export const FilterNames = [
  "organization_id",
  "created_at",
  "actor_id",
  "action",
  "entity",
  "entity_type",
  "ip_address",
] as const
export type FilterName = (typeof FilterNames)[number]

export const ActivityFilters = Schema.Struct({
  organization_id: Schema.optional(Schema.String),
  /** Activities created at or after this instant (ISO-8601, normalised to UTC). */
  created_at: Schema.optional(Schema.String),
  actor_id: Schema.optional(Schema.String),
  action: Schema.optional(UnifiedAction),
  entity: Schema.optional(Schema.String),
  entity_type: Schema.optional(Schema.String),
  ip_address: Schema.optional(Schema.String),
})
export type ActivityFilters = typeof ActivityFilters.Type
