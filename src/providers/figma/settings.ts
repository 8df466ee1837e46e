import { TokenUrlSettings } from "../../auth/grants.ts"

/** Figma refreshes at an endpoint of its own, not at its code-exchange `/v1/oauth/token`. */
export const FIGMA_TOKEN_URL = "https://api.figma.com/v1/oauth/refresh"

export const FigmaSettings = TokenUrlSettings("FigmaSettings", FIGMA_TOKEN_URL)
