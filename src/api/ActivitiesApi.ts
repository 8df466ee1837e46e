import { Schema } from "effect"
import { Activity } from "../domain/Activity.ts"

// The contract of List Activities; the query is in QueryParams.ts, errors in ErrorResponse.ts.

export const activitiesPath = "/unified/user-directory/activities"

export const ListActivitiesResponse = Schema.Struct({
  result: Schema.Array(Activity).annotations({ description: "List of Activities" }),
  next_cursor: Schema.NullOr(Schema.String).annotations({
    description:
      "The cursor to use for the next page of results: pass it as the next_cursor query parameter, with the same integrated_account_id and filters. null once the provider has nothing more for now.",
  }),
}).annotations({ identifier: "ListActivitiesResponse" })
export type ListActivitiesResponse = typeof ListActivitiesResponse.Type
