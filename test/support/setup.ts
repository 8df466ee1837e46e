import { quietKafkajsTimerWarning } from "../../src/observability/quietKafkajsTimerWarning.ts"

quietKafkajsTimerWarning()
