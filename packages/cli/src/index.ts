export { type CliArgs, type CommandName, DEFAULT_HOOK_PREFIX, parseCliArgs } from './args';
export { type CliIo, type RunCliOptions, runCli } from './cli';
export { CliError, UsageError } from './errors';
export { helpText } from './help';
export type {
  ActionReason,
  Check,
  CheckId,
  DoctorReport,
  ErrorReport,
  Holder,
  InterfaceRow,
  PlannedAction,
  PlanReport,
  PoolStatus,
  Report,
  ReportBase,
  StatusReport,
  SyncOutcome,
  SyncReport,
  UnservedInstance,
  UnservedReason,
} from './report';
export { JSON_SCHEMA_VERSION } from './report';
