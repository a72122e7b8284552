// One migration (issue 6): where it is, what it measured, the link and plan it ran with and why, what the model
// expected, the request's options and its log. Read again every 2 s until it is final; it can be cancelled until then.

import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { num } from '../api/client';
import { purposeText } from '../api/checkouts';
import {
  cancelMigration,
  formatMs,
  formatRate,
  formatSeconds,
  getMigration,
  isFinal,
  linkSourceText,
  planOf,
  predictionOf,
  timeSpanMs,
  type Migration,
  type MigrationPlan,
} from '../api/migrations';
import { ErrorBox, FactsSection, formatBytes, Loading, LogLines } from '../components/common';
import { MigrationMetricsTable } from '../components/MigrationMetricsTable';
import { MigrationProgressView } from '../components/MigrationProgressView';
import { useAsync } from '../hooks/useAsync';

export function MigrationPage({ pollMs = 2000 }: { pollMs?: number }) {
  const { id = '' } = useParams();
  const migration = useAsync((signal) => getMigration(id, signal), [id], pollMs, (m) => !isFinal(m));
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<unknown>();

  const cancel = async () => {
    setCancelling(true);
    setCancelError(undefined);
    try {
      await cancelMigration(id);
    } catch (e) {
      // 409: it is final already, or switching over and cannot be called back; the Server's words say which.
      setCancelError(e);
      setCancelling(false);
    }
    // The runner stops it asynchronously: read it again (and poll) until it is cancelled.
    migration.reload();
  };

  const m = migration.data;
  if (!m) return migration.error ? <ErrorBox error={migration.error} /> : <Loading what="the migration" />;

  return (
    <main className="page">
      <p>
        <Link to="/migrations">← Migrations</Link>
      </p>
      <h1>
        Migration of {m.machine.room}/{m.machine.name}
      </h1>
      <p className="muted">
        {m.from} → {m.to} · {m.mode}
        {m.purpose && <> · {purposeText(m.purpose)}</>}
        {m.requestedBy && <> · requested by {m.requestedBy}</>} · created <Time iso={m.createdAt} />
        {m.finishedAt && (
          <>
            {' '}
            · finished <Time iso={m.finishedAt} />
          </>
        )}
      </p>
      {migration.error ? <p className="muted small">Last refresh failed: {migration.error.message}</p> : null}
      <div aria-live="polite">
        <MigrationProgressView migration={m} />
      </div>
      {!isFinal(m) && (
        <div className="actions">
          <button type="button" className="danger" disabled={cancelling} onClick={() => void cancel()}>
            {cancelling ? 'Cancelling…' : 'Cancel migration'}
          </button>
          <span className="muted small">Until the switch-over: the machine keeps running on {m.from}.</span>
        </div>
      )}
      <ErrorBox error={cancelError} />
      <MigrationMetricsTable migration={m} level={2} />
      <PredictionSection migration={m} />
      <LinkSection migration={m} />
      <PlanSection plan={planOf(m)} />
      <OptionsSection migration={m} />
      <section aria-labelledby="migration-log-heading">
        <h2 id="migration-log-heading">Log</h2>
        <LogLines log={m.log} label="Migration log" />
      </section>
    </main>
  );
}

function Time({ iso }: { iso: string }) {
  return <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;
}

function PredictionSection({ migration }: { migration: Migration }) {
  const prediction = predictionOf(migration);
  if (!prediction) return null;
  const unmeasured = isFinal(migration) ? 'not measured' : 'not yet';
  const measured = (value: number | string | null, format: (ms: number) => string) => (value == null ? unmeasured : format(num(value)));
  return (
    <section aria-labelledby="migration-prediction-heading">
      <h2 id="migration-prediction-heading">Prediction vs measured</h2>
      {!prediction.converges && <p className="warn">The model expected pre-copy not to converge: {prediction.nonConvergenceReason}</p>}
      <table className="table narrow" aria-labelledby="migration-prediction-heading">
        <thead>
          <tr>
            <td />
            <th scope="col">Predicted</th>
            <th scope="col">Measured</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Total time</th>
            <td>{formatSeconds(timeSpanMs(prediction.totalTime))}</td>
            <td>{measured(migration.metrics.totalTimeMs, formatSeconds)}</td>
          </tr>
          <tr>
            <th scope="row">Downtime</th>
            <td>{formatMs(timeSpanMs(prediction.downtime))}</td>
            <td>{measured(migration.metrics.downtimeMs, formatMs)}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}

function LinkSection({ migration: { link } }: { migration: Migration }) {
  return (
    <FactsSection
      title="Link used"
      rows={
        link && [
          ['Bandwidth', formatRate(num(link.bandwidthBitsPerSecond))],
          ['Round-trip time', `${num(link.rttMs)} ms`],
          // A ratio: 0.001 is 0.1 %.
          ['Loss', `${+(num(link.loss) * 100).toPrecision(3)} %`],
          ['Where the figure came from', linkSourceText(link.source)],
        ]
      }
      note="Not known yet: the prepare phase measures or looks up the link."
    />
  );
}

/** Each parameter MigrationPolicy.Plan explains, named for people, with the value in force. */
const PLAN_VALUES: Record<string, [string, (plan: MigrationPlan) => string]> = {
  maxBandwidth: ['Max bandwidth', (p) => formatRate(p.maxBandwidth.bytesPerSecond * 8)],
  downtimeLimit: ['Downtime limit', (p) => formatMs(timeSpanMs(p.downtimeLimit))],
  multifdChannels: ['Multifd channels', (p) => (p.multifdChannels === 0 ? 'off (one stream)' : String(p.multifdChannels))],
  compression: ['Compression (QEMU)', (p) => (p.compression === 'Zstd' ? `zstd level ${p.compressionLevel}` : 'none')],
  xbzrleCacheBytes: ['XBZRLE cache', (p) => (p.xbzrleCacheBytes === 0 ? 'off' : formatBytes(p.xbzrleCacheBytes))],
  autoConverge: ['Auto-converge', (p) => (p.autoConverge ? 'on' : 'off')],
  throttleTriggerPercent: [
    'Throttle trigger',
    (p) => `${p.throttleTriggerPercent} %${p.throttleTriggerLoweredAtPass == null ? '' : ` (lowered at pass ${p.throttleTriggerLoweredAtPass})`}`,
  ],
  postCopy: ['Post-copy', (p) => (p.postCopy ? 'armed' : 'off')],
  transport: ['Transport', (p) => (p.transport === 'Tunnel' ? `node tunnel, zstd level ${p.tunnelCompressionLevel}` : 'QEMU')],
};

function PlanSection({ plan }: { plan: MigrationPlan | null }) {
  return (
    <section aria-labelledby="migration-plan-heading">
      <h2 id="migration-plan-heading">Plan</h2>
      {!plan ? (
        <p className="muted">Not planned yet: the prepare phase chooses the parameters.</p>
      ) : (
        <table className="table" aria-labelledby="migration-plan-heading">
          <thead>
            <tr>
              <th scope="col">Parameter</th>
              <th scope="col">Value</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {plan.reasons.map(({ parameter, reason }) => {
              const [label, value] = PLAN_VALUES[parameter] ?? [parameter, () => '—'];
              return (
                <tr key={parameter}>
                  <th scope="row">{label}</th>
                  <td>{value(plan)}</td>
                  <td className="small">{reason}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function OptionsSection({ migration: { options: o } }: { migration: Migration }) {
  const optional = (value: number | string | null, format: (n: number) => string, otherwise: string) => (value == null ? otherwise : format(num(value)));
  return (
    <FactsSection
      title="Options"
      rows={[
        ['Max bandwidth', optional(o.maxBandwidthBitsPerSecond, formatRate, 'no cap (the plan chooses)')],
        ['Downtime limit', formatMs(num(o.downtimeLimitMs))],
        ['Max downtime', optional(o.maxDowntimeMs, formatMs, 'the limit is never raised')],
        ['Max total time', optional(o.maxTotalTimeSeconds, (s) => `${s} s`, 'no limit')],
        ['Post-copy allowed', o.allowPostCopy ? 'yes' : 'no'],
        ['Disk transfer', o.diskTransfer],
        ['Tuning', o.tuning],
        ['TLS', o.tls ? 'yes' : 'no'],
      ]}
    />
  );
}
