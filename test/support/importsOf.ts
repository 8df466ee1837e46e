import ts from "typescript"

// Imports read with the TypeScript parser rather than a regular expression, so every form counts: static,
// re-export, `import type`, `import("…")` types and dynamic `import()` calls.

export interface ImportRef {
  /** undefined for `import(expression)`, whose target cannot be read. */
  readonly specifier: string | undefined
  /** Still there at run time: not `import type` / `export type`, which type stripping erases. */
  readonly runtime: boolean
  readonly dynamic: boolean
}

export const importsOf = (fileName: string, text: string): ReadonlyArray<ImportRef> => {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const refs: Array<ImportRef> = []
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      refs.push({
        specifier: node.moduleSpecifier.text,
        runtime: !node.importClause?.isTypeOnly,
        dynamic: false,
      })
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      refs.push({ specifier: node.moduleSpecifier.text, runtime: !node.isTypeOnly, dynamic: false })
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments
      refs.push({
        specifier: argument && ts.isStringLiteralLike(argument) ? argument.text : undefined,
        runtime: true,
        dynamic: true,
      })
    } else if (ts.isImportTypeNode(node)) {
      const literal = ts.isLiteralTypeNode(node.argument) ? node.argument.literal : undefined
      refs.push({
        specifier: literal && ts.isStringLiteral(literal) ? literal.text : undefined,
        runtime: false,
        dynamic: false,
      })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return refs
}
