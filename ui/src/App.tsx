// The app's frame: header (live indicator, workers, notifications), the
// main navigation, and the page of the current route.

import { useEffect, useState } from "preact/hooks";
import { onUnauthorized } from "./lib/api";
import { useLiveState } from "./lib/hooks";
import { match, onLinkClick, usePath } from "./lib/router";
import { LiveIndicator } from "./components/LiveIndicator";
import { NotificationsButton } from "./components/NotificationsButton";
import { WorkersButton } from "./components/WorkersButton";
import { TokenDialog } from "./components/TokenDialog";
import { HomePage } from "./pages/Home";
import { SourcesPage } from "./pages/Sources";
import { SourcePage } from "./pages/Source";
import { BuildsPage } from "./pages/Builds";
import { BuildPage } from "./pages/Build";
import { ApisPage } from "./pages/Apis";
import { CommandsPage } from "./pages/Commands";
import { NewPluginPage } from "./pages/NewPlugin";
import { ExploreHomePage } from "./pages/ExploreHome";
import { lazy, Suspense } from "preact/compat";

// The explorer and the charts load on demand, with Chart.js.
const ExplorerPage = lazy(() => import("./pages/Explorer").then((m) => m.ExplorerPage));
const ChartsPage = lazy(() => import("./pages/Charts").then((m) => m.ChartsPage));

const NAV: [string, string][] = [
  ["/", "Home"],
  ["/sources", "Sources"],
  ["/builds", "Builds"],
  ["/apis", "APIs"],
  ["/commands", "Commands"],
  ["/explorer", "Explore"],
];

function section(path: string): string {
  const first = "/" + (path.split("/")[1] ?? "");
  return first;
}

export function App() {
  const path = usePath();
  const liveState = useLiveState();
  const [tokenAsk, setTokenAsk] = useState<string>();
  useEffect(() => onUnauthorized((msg) => setTokenAsk(msg)), []);
  const route = match(path);
  useEffect(() => {
    const names: Record<string, string> = { home: "Home", sources: "Sources", builds: "Builds", apis: "APIs", commands: "Commands", explore: "Explore", newplugin: "New plugin from a file" };
    const t =
      route.page === "source"
        ? route.name
        : route.page === "build"
          ? route.id
          : route.page === "explorer"
            ? `Explore ${route.name}`
            : route.page === "charts"
              ? `Field charts of ${route.name}`
              : names[route.page] ?? "Not found";
    document.title = `${t} · Studio`;
  }, [path]);

  return (
    <>
      <div id="app-main">
        <a class="skip" href="#content">
          Skip to content
        </a>
        <header class="top">
          <a href="/" class="brand" onClick={onLinkClick}>
            Studio
          </a>
          <nav aria-label="Main">
            <ul>
              {NAV.map(([href, name]) => (
                <li>
                  <a href={href} onClick={onLinkClick} aria-current={section(path) === href ? "page" : undefined}>
                    {name}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="header-tools">
            <LiveIndicator state={liveState} />
            <WorkersButton />
            <NotificationsButton />
          </div>
        </header>
        <main id="content" tabIndex={-1}>
          <Page route={route} />
        </main>
      </div>
      {tokenAsk !== undefined && <TokenDialog message={tokenAsk} onClose={() => setTokenAsk(undefined)} />}
    </>
  );
}

function Page({ route }: { route: ReturnType<typeof match> }) {
  switch (route.page) {
    case "home":
      return <HomePage />;
    case "sources":
      return <SourcesPage />;
    case "source":
      return <SourcePage key={route.name} name={route.name} />;
    case "builds":
      return <BuildsPage />;
    case "build":
      return <BuildPage key={route.id} id={route.id} />;
    case "apis":
      return <ApisPage />;
    case "commands":
      return <CommandsPage />;
    case "newplugin":
      return <NewPluginPage />;
    case "explore":
      return <ExploreHomePage />;
    case "explorer":
      return (
        <Suspense fallback={<p class="muted">Loading the explorer…</p>}>
          <ExplorerPage key={`${route.kind}/${route.name}`} kind={route.kind} name={route.name} />
        </Suspense>
      );
    case "charts":
      return (
        <Suspense fallback={<p class="muted">Loading the charts…</p>}>
          <ChartsPage key={`${route.kind}/${route.name}/${route.other}`} kind={route.kind} name={route.name} other={route.other} />
        </Suspense>
      );
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            No page at <code>{route.path}</code>.{" "}
            <a href="/" onClick={onLinkClick}>
              Home
            </a>
          </p>
        </section>
      );
  }
}
