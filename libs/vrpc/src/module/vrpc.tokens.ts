/** DI token of the module options. */
export const VRPC_MODULE_OPTIONS = Symbol('VRPC_MODULE_OPTIONS');
/** DI token of the message bus plugin. */
export const VRPC_BUS = Symbol('VRPC_BUS');
/** DI token of the task store (task-level singletons). */
export const VRPC_TASK_STORE = Symbol('VRPC_TASK_STORE');
