/**
 * The syntax tree of the PowerShell subset. Every node keeps its source range (`start`, `end`:
 * offsets into the script) for InvocationInfo and error positions.
 */
import type { PSValue } from '../../psrp/clixml/index.js';

interface Node { start: number; end: number }

// ---- statements ----------------------------------------------------------------------------

export interface PipelineStmt extends Node {
  type: 'Pipeline';
  elements: PipelineElement[];
  /** `>`, `>>`, `2>&1` … on the last element. */
  redirects: Redirect[];
}
export interface Redirect { stream: string; append: boolean; target: Expr | 'merge' }
export type PipelineElement = CommandElement | ExprElement;
export interface ExprElement extends Node { type: 'ExprElement'; expr: Expr }
export interface CommandElement extends Node {
  type: 'Command';
  /** A bare name, or an expression after `&` / `.` (a script block, a string, a variable). */
  name: string | Expr;
  invocation: '' | '&' | '.';
  args: CommandArg[];
}
export type CommandArg =
  | (Node & { type: 'Param'; name: string; text: string; value: Expr | null })
  | (Node & { type: 'Arg'; value: Expr })
  | (Node & { type: 'Splat'; name: string });

export interface AssignStmt extends Node { type: 'Assign'; target: Expr; op: string; value: Statement }
export interface IfStmt extends Node { type: 'If'; clauses: { cond: PipelineStmt; body: Block }[]; else: Block | null }
export interface ForeachStmt extends Node { type: 'Foreach'; variable: string; iterable: PipelineStmt; body: Block; label: string | null }
export interface ForStmt extends Node { type: 'For'; init: Statement | null; cond: PipelineStmt | null; iter: Statement | null; body: Block; label: string | null }
export interface WhileStmt extends Node { type: 'While'; cond: PipelineStmt; body: Block; doLoop: '' | 'while' | 'until'; label: string | null }
export interface FunctionStmt extends Node { type: 'Function'; name: string; body: ScriptBlockAst }
export interface FlowStmt extends Node { type: 'Return' | 'Throw' | 'Exit'; value: PipelineStmt | null }
export interface JumpStmt extends Node { type: 'Break' | 'Continue'; label: string | null }
export interface TryStmt extends Node { type: 'Try'; body: Block; catches: { types: string[]; body: Block }[]; finally: Block | null }
export interface SwitchStmt extends Node {
  type: 'Switch'; value: PipelineStmt; clauses: { cond: Expr | 'default'; body: Block }[];
  wildcard: boolean; regex: boolean; caseSensitive: boolean;
}
export interface BlockStmt extends Node { type: 'BlockStmt'; body: Block }

export type Statement =
  | PipelineStmt | AssignStmt | IfStmt | ForeachStmt | ForStmt | WhileStmt | FunctionStmt | FlowStmt | JumpStmt | TryStmt
  | SwitchStmt | BlockStmt;

export interface Block extends Node { statements: Statement[] }

// ---- script blocks --------------------------------------------------------------------------

export interface ParamDecl extends Node { name: string; typeName: string | null; default: Expr | null; mandatory: boolean; fromPipeline: boolean }
export interface ScriptBlockAst extends Node {
  params: ParamDecl[];
  beginBlock: Block | null;
  processBlock: Block | null;
  /** The body of a block without named blocks is its end block, as in PowerShell. */
  endBlock: Block | null;
  /** The source text between the braces (what ScriptBlock.ToString() gives). */
  text: string;
}

// ---- expressions ----------------------------------------------------------------------------

export type Expr =
  | (Node & { type: 'Constant'; value: PSValue })
  | (Node & { type: 'Expandable'; parts: ExpandPart[] })
  | (Node & { type: 'Variable'; name: string })
  | (Node & { type: 'Binary'; op: string; left: Expr; right: Expr })
  | (Node & { type: 'Unary'; op: string; operand: Expr })
  | (Node & { type: 'Postfix'; op: '++' | '--'; operand: Expr })
  | (Node & { type: 'ArrayLiteral'; items: Expr[] })
  | (Node & { type: 'ArrayExpr'; body: Block })
  | (Node & { type: 'SubExpr'; body: Block })
  | (Node & { type: 'Paren'; pipeline: Statement })
  | (Node & { type: 'Hashtable'; entries: { key: Expr; value: Statement }[] })
  | (Node & { type: 'ScriptBlock'; block: ScriptBlockAst })
  | (Node & { type: 'Cast'; typeName: string; operand: Expr })
  | (Node & { type: 'TypeLiteral'; typeName: string })
  | (Node & { type: 'Member'; target: Expr; member: Expr; static: boolean })
  | (Node & { type: 'Invoke'; target: Expr; member: Expr; args: Expr[]; static: boolean })
  | (Node & { type: 'Index'; target: Expr; index: Expr });

export type ExpandPart = { kind: 'text'; value: string } | { kind: 'expr'; expr: Expr };
