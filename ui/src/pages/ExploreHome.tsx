// The explorer's landing page: every released index and every build to
// explore, the field charts of sources and builds, and two builds to
// compare.

import { useState } from "preact/hooks";
import { api } from "../lib/api";
import { useHub } from "../lib/hooks";
import { navigate, onLinkClick } from "../lib/router";
import { ErrorBox } from "../components/ErrorBox";
import { TableHead } from "../components/TableHead";
import "../explorer.css";

const enc = encodeURIComponent;

export function ExploreHomePage() {
  const data = useHub(async () => {
    const [indexes, builds, sources] = await Promise.all([
      api.get("/explore/indexes"),
      api.get("/builds"),
      api.get("/sources"),
    ]);
    return { indexes, builds: builds.filter((b) => b.status === "success"), sources };
  });
  const builds = data.data?.builds ?? [];
  const [oldID, setOld] = useState("");
  const [newID, setNew] = useState("");
  const a = oldID || builds[1]?._id || "";
  const b = newID || builds[0]?._id || "";
  const subs = (data.data?.sources ?? []).flatMap((s) => Object.keys(s.upload?.jobs ?? {}).map((sub) => ({ sub, inspected: !!s.inspect?.jobs?.[sub]?.results })));
  return (
    <section>
      <h1>Explore</h1>
      <ErrorBox error={data.error} />
      <h2>Indexes</h2>
      {data.data && data.data.indexes.length === 0 && <p class="empty">No index yet: release a build (Builds, then a build's Releases tab).</p>}
      {data.data && data.data.indexes.length > 0 && (
        <table class="list" data-testid="explore-indexes">
          <TableHead cols={["Index", "Documents"]} num={["Documents"]} />
          <tbody>
            {data.data.indexes.map((ix) => (
              <tr data-index={ix.name}>
                <td>
                  <a href={`/explorer/index/${enc(ix.name)}`} onClick={onLinkClick}>
                    {ix.name}
                  </a>
                </td>
                <td class="num">{ix.docs.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Builds</h2>
      {data.data && builds.length === 0 && <p class="empty">No successful build yet.</p>}
      {builds.length > 0 && (
        <table class="list" data-testid="explore-builds">
          <TableHead cols={["Build", "Documents", "Look at"]} num={["Documents"]} />
          <tbody>
            {builds.map((bd) => (
              <tr data-build={bd._id}>
                <td>{bd._id}</td>
                <td class="num">{(bd.count ?? 0).toLocaleString()}</td>
                <td class="actions">
                  <a href={`/explorer/build/${enc(bd._id)}`} onClick={onLinkClick} aria-label={`Explore build ${bd._id}`}>
                    Documents
                  </a>{" "}
                  ·{" "}
                  <a href={`/charts/build/${enc(bd._id)}`} onClick={onLinkClick} aria-label={`Field charts of build ${bd._id}`}>
                    Field charts
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {builds.length > 1 && (
        <form
          class="toolbar compare-form"
          aria-label="Compare two builds"
          onSubmit={(e) => {
            e.preventDefault();
            navigate(`/charts/compare/${enc(a)}/${enc(b)}`);
          }}
        >
          <label for="cmp-old">Before</label>
          <select id="cmp-old" value={a} onChange={(e) => setOld((e.target as HTMLSelectElement).value)}>
            {builds.map((x) => (
              <option value={x._id}>{x._id}</option>
            ))}
          </select>
          <label for="cmp-new">After</label>
          <select id="cmp-new" value={b} onChange={(e) => setNew((e.target as HTMLSelectElement).value)}>
            {builds.map((x) => (
              <option value={x._id}>{x._id}</option>
            ))}
          </select>
          <button type="submit">Compare fields</button>
        </form>
      )}
      <h2>Sources</h2>
      {data.data && subs.length === 0 && <p class="empty">No uploaded source yet.</p>}
      {subs.length > 0 && (
        <ul class="plain source-charts">
          {subs.map(({ sub, inspected }) => (
            <li>
              <a href={`/charts/source/${enc(sub)}`} onClick={onLinkClick} aria-label={`Field charts of source ${sub}`}>
                {sub}
              </a>
              {!inspected && <span class="small muted"> (not inspected yet)</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
