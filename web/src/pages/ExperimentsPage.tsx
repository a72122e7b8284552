// Experiment runs of `skillvl experiment run` for researchers (issue 13 Deliver 5, ADR 0029): the list, and a run's
// report with its plots. Read-only; the Server reads the runs from SkillVL:Experiments:Directory and lets teachers and
// admins see them (students get 403, which the page shows as the Server's message).
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { getExperiment, getPlot, listExperiments, type ExperimentDetails, type ExperimentSummary } from '../api/experiments';
import { ErrorBox, errorText, Loading } from '../components/common';
import { defaultLink, Markdown } from '../components/Markdown';
import { useAsync } from '../hooks/useAsync';
import { formatAge } from './MigrationsPage';

export function ExperimentsPage() {
  const list = useAsync((signal) => listExperiments(signal), []);
  return (
    <main className="page">
      <h1 id="experiments-heading">Experiments</h1>
      <ErrorBox error={list.error} />
      {!list.data ? (
        list.loading && <Loading what="experiments" />
      ) : list.data.length === 0 ? (
        <p className="muted">
          No experiment runs yet. <code>skillvl experiment run SPEC.yaml --out DIR</code> writes one; the Server lists the
          directories under its experiments directory (SkillVL:Experiments:Directory).
        </p>
      ) : (
        <ExperimentTable runs={list.data} />
      )}
    </main>
  );
}

const count = (n: number | null) => (n == null ? '—' : String(n));

function ExperimentTable({ runs }: { runs: ExperimentSummary[] }) {
  const now = Date.now();
  return (
    <table className="table" aria-labelledby="experiments-heading">
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Changed</th>
          <th scope="col">Cells</th>
          <th scope="col">Runs</th>
          <th scope="col">Succeeded</th>
          <th scope="col">Report</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.name}>
            <td>
              <Link to={`/experiments/${encodeURIComponent(r.name)}`} className="mono">
                {r.name}
              </Link>
            </td>
            <td>
              <time dateTime={r.modifiedAt} title={r.modifiedAt}>
                {formatAge(r.modifiedAt, now)}
              </time>
            </td>
            <td>{count(r.cells)}</td>
            <td>{count(r.runs)}</td>
            <td>{count(r.succeeded)}</td>
            <td>{r.hasReport ? 'yes' : 'no'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ExperimentPage() {
  const { name = '' } = useParams();
  const run = useAsync((signal) => getExperiment(name, signal), [name]);
  return (
    <main className="page">
      <p>
        <Link to="/experiments">← Experiments</Link>
      </p>
      <h1 className="mono">{name}</h1>
      <ErrorBox error={run.error} />
      {!run.data ? run.loading && <Loading what="the experiment" /> : <RunView name={name} run={run.data} />}
    </main>
  );
}

/** The report's relative plot references ("plots/time-vs-ram.png") name files the Server serves by name. */
const PLOT_REF = /^plots\/([A-Za-z0-9][A-Za-z0-9._-]*\.(png|svg))$/;

function RunView({ name, run }: { name: string; run: ExperimentDetails }) {
  const plots = usePlotUrls(name, run.plots.filter((p) => p.endsWith('.png')));
  const available = new Set(run.plots);
  const image = (src: string, alt: string, key: string): ReactNode => {
    const file = PLOT_REF.exec(src)?.[1];
    if (!file || !available.has(file)) return <span key={key} className="muted">[{alt}: not available]</span>;
    if (file.endsWith('.svg')) return <SvgDownload key={key} name={name} file={file} label={alt} />;
    const url = plots.urls[file];
    return url ? <img key={key} src={url} alt={alt} className="plot" /> : <span key={key} className="muted">{plots.errors[file] ?? `Loading ${alt}…`}</span>;
  };
  const link = (href: string, children: ReactNode, key: string): ReactNode => {
    const file = PLOT_REF.exec(href)?.[1];
    if (file && available.has(file)) return <SvgDownload key={key} name={name} file={file} label={children} />;
    return defaultLink(href, children, key);
  };
  return (
    <>
      {run.notes.length > 0 && (
        <div role="status" className="warning-box">
          <p>Left out by the Server:</p>
          <ul>
            {run.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      )}
      {run.environment && <Environment values={run.environment} />}
      {run.report != null ? (
        <section aria-label="Report">
          <Markdown text={run.report} image={image} link={link} />
        </section>
      ) : (
        <>
          <p className="muted">This run has no report yet: `skillvl experiment report DIR` builds one from its results.csv.</p>
          {run.plots.length > 0 && (
            <section aria-label="Plots">
              {run.plots.map((p) => (
                <figure key={p}>{image(`plots/${p}`, p, p)}</figure>
              ))}
            </section>
          )}
        </>
      )}
    </>
  );
}

function Environment({ values }: { values: Record<string, unknown> }) {
  return (
    <details className="environment">
      <summary>Environment</summary>
      <dl>
        {Object.entries(values).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

/**
 * The PNG plots as object URLs: an <img src> cannot send the bearer token, so each is fetched through the API and
 * shown from a blob; the URLs are revoked when the run changes or the page goes.
 */
function usePlotUrls(name: string, files: string[]) {
  const [state, setState] = useState<{ urls: Record<string, string>; errors: Record<string, string> }>({ urls: {}, errors: {} });
  const key = files.join('\n');
  useEffect(() => {
    const controller = new AbortController();
    const made: string[] = [];
    setState({ urls: {}, errors: {} });
    for (const file of files) {
      getPlot(name, file, controller.signal)
        .then((blob) => {
          if (controller.signal.aborted) return;
          const url = URL.createObjectURL(blob);
          made.push(url);
          setState((s) => ({ ...s, urls: { ...s.urls, [file]: url } }));
        })
        .catch((e: unknown) => {
          if (!controller.signal.aborted) setState((s) => ({ ...s, errors: { ...s.errors, [file]: `${file}: ${errorText(e)}` } }));
        });
    }
    return () => {
      controller.abort();
      made.forEach((url) => URL.revokeObjectURL(url));
    };
  }, [name, key]);
  return state;
}

/**
 * An SVG plot is downloaded, never opened: a blob: URL has the app's origin, and an SVG opened from one as a page could
 * run its script there. Saved as application/octet-stream with a file name, the browser only stores it.
 */
function SvgDownload({ name, file, label }: { name: string; file: string; label: ReactNode }) {
  const [error, setError] = useState<string>();
  const download = async () => {
    try {
      const blob = await getPlot(name, file);
      const url = URL.createObjectURL(new Blob([blob], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = file;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 0);
      setError(undefined);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <>
      <button type="button" className="link-button" onClick={() => void download()} title={`Download ${file}`}>
        {label}
      </button>
      {error && <span role="alert"> {error}</span>}
    </>
  );
}
