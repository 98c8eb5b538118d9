/** The alert views moved to the shared presentation folder; kept as a path for callers not yet moved. */
export { alertFor, type AlertSpec, holdText } from '../views/alerts.js';
