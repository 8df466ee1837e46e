import { Schema } from "effect"

/** An absolute http(s) URL, kept as the configured string: `base_url`, a token URL. */
export const HttpUrl = Schema.String.pipe(
  Schema.filter((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), {
    message: () => "must be an absolute http(s) URL",
  }),
)
