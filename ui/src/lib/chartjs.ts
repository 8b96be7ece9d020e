// The parts of Chart.js that the bar charts use, registered once. Imported
// on demand (components/BarChart), so that only chart pages load it, and
// only these parts are bundled.

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export { Chart };
