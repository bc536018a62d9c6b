// The templates' public surface, for the evaluator (later) and the render preview: one alert event
// transition rendered to a NotificationRequest, and a sample event to preview a policy with.
export {
  alertNotificationPolicy,
  defaultAlertTitle,
  renderAlertNotification,
  type AlertNotificationInput,
  type AlertNotificationPolicy,
} from './alert-notification.js';
export {
  renderAlertmanagerNotification,
  type AlertmanagerNotificationInput,
} from './alertmanager-notification.js';
export { consoleLinks, type ConsoleLinks } from './console-links.js';
export { type ConditionResult } from './rule-text.js';
export { SAMPLE_EVENT_ID, sampleAlertInput, type SampleAlertOptions } from './sample-alert.js';
export { type AlertState } from './template-words.js';
