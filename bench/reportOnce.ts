/** Child process of the report benchmark: one cold report, its figures as JSON on stdout. */
import { measureReportOnce } from './report.js';

process.stdout.write(JSON.stringify(await measureReportOnce()));
