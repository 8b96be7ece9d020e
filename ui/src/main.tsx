// Entry point: mount the app, open the live channel, turn workflow events
// into notifications.

import { render } from "preact";
import { App } from "./App";
import { live } from "./lib/live";
import { notifications } from "./lib/notifications";
import "./style.css";

live.onEvent((ev) => notifications.add(ev));
live.start();
render(<App />, document.getElementById("app")!);
