// Validates GitHub Actions workflow files offline, with two independent checkers from npm (no network at run time):
//   1. schemastore: SchemaStore's github-workflow.json JSON schema, as compiled into @action-validator/core
//      (required keys such as runs-on, unknown keys, value types);
//   2. github: GitHub's own workflow parser, @actions/workflow-parser (the one behind GitHub's Actions language
//      service): its workflow schema, plus the ${{ }} expressions and the contexts each key may use.
// A file must pass both.
//
//   node .github/validate/validate.mjs .github/workflows/ci.yml            # human-readable, exit 1 on errors
//   node .github/validate/validate.mjs --json FILE...                      # one JSON report (used by the tests)
import { readFileSync } from "node:fs";
import { register } from "node:module";
import { basename } from "node:path";
import { validateWorkflow } from "@action-validator/core";

// @actions/workflow-parser imports its schema JSON the bundler way (no `with { type: "json" }`), which Node refuses;
// a loader hook adds the attribute to .json imports.
register(
  "data:text/javascript," +
    encodeURIComponent(
      "export async function load(url, context, next) {" +
        ' return next(url, url.endsWith(".json") ? { ...context, importAttributes: { type: "json" } } : context); }',
    ),
);
const { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } = await import("@actions/workflow-parser");

const args = process.argv.slice(2);
const json = args.includes("--json");
const files = args.filter((a) => a !== "--json");
if (files.length === 0) {
  console.error("usage: validate.mjs [--json] WORKFLOW.yml...");
  process.exit(2);
}

function schemastore(content) {
  const state = validateWorkflow(content);
  return state.errors.map((e) => {
    const where = e.path ?? (e.location ? `line ${e.location.line}` : "");
    return `schemastore: ${where ? where + ": " : ""}${e.title}${e.detail ? ` (${e.detail})` : ""}`;
  });
}

async function github(name, content) {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  if (parsed.value !== undefined) {
    await convertWorkflowTemplate(parsed.context, parsed.value);
  }
  return parsed.context.errors.getErrors().map((e) => `github: ${e.message}`);
}

const results = [];
for (const file of files) {
  const content = readFileSync(file, "utf8");
  const errors = [...schemastore(content), ...(await github(basename(file), content))];
  results.push({ file, ok: errors.length === 0, errors });
}

if (json) {
  process.stdout.write(JSON.stringify({ validated: results.length, results }) + "\n");
} else {
  for (const r of results) console.log(r.ok ? `ok      ${r.file}` : `INVALID ${r.file}:\n  ${r.errors.join("\n  ")}`);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);
