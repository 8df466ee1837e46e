import type { Activity } from "../domain/Activity.ts"
import type { ActivityFilters, FilterName } from "../domain/ActivityFilters.ts"

/** How each record-level filter reads a mapped Activity. `organization_id` selects the account, not records. */
const matchers: {
  readonly [F in Exclude<FilterName, "organization_id">]: (activity: Activity, value: string) => boolean
} = {
  // "created at or after": providers whose own bound is coarser (a day, a second) must not leak earlier ones.
  created_at: (activity, value) => Date.parse(activity.created_at) >= Date.parse(value),
  actor_id: (activity, value) => activity.actor?.user?.id === value,
  action: (activity, value) => activity.action === value,
  entity: (activity, value) => activity.entity === value,
  entity_type: (activity, value) => activity.entity_type === value,
  ip_address: (activity, value) => activity.context?.ip_address === value,
}

/**
 * The one post-filter: every filter given that the stream did not push down to the provider is checked here
 * against the mapped Activity, and `created_at` always (exactly, whatever the provider's granularity).
 */
export const postFilter = (
  filters: ActivityFilters,
  pushedDown: ReadonlyArray<FilterName>,
): ((activity: Activity) => boolean) => {
  const checks = (Object.keys(matchers) as Array<keyof typeof matchers>).flatMap((name) => {
    const value = filters[name]
    if (value === undefined || (name !== "created_at" && pushedDown.includes(name))) return []
    const matches = matchers[name]
    return [(activity: Activity) => matches(activity, value)]
  })
  return (activity) => checks.every((check) => check(activity))
}
