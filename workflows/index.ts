export { sessionWorkflow } from './session';
export { sessionNotifierWorkflow } from './notifier';
