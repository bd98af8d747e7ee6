/**
 * The entry of the deployable bundle (`dist-lambda/index.mjs`, handler `index.handler`). Configuration is
 * read here, at module scope, so it is parsed once per container and a bad variable fails the init phase
 * with a `ConfigurationError` naming it.
 */
import { createHandlerFromEnvironment } from './environment';

/** EventBridge events, the schedule and SQS batches, configured from the environment. */
export const handler = createHandlerFromEnvironment(process.env);
