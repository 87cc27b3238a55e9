/**
 * Renderings of a plan: the terminal (`renderHuman`), a pull-request comment (`renderMarkdown`) and the versioned
 * JSON document (`renderJson`). All pure: a `Plan` in, a string out.
 */
export {
  ACTION_LABEL,
  ACTION_SYMBOL,
  SENSITIVE,
  clusterLine,
  countActions,
  formatValue,
  renderHuman,
  safeUrl,
  summaryLine,
  type HumanOptions,
} from "./human";
export { renderMarkdown, type MarkdownOptions } from "./markdown";
export { documentedFields, planDocument, renderJson } from "./json";
export { renderDiffHuman, renderDiffJson, renderDiffMarkdown } from "./diff";
