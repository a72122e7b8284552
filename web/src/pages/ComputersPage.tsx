// "My computers" (issue 12): every user enrols their own computer as a client node and removes it again. Only the
// owner's machines (and their course instances where the teacher allows it) can be placed or moved there.
import { useState } from 'react';
import { api } from '../api/api';
import { num } from '../api/client';
import type { JoinTokenInfo, NodeInfo } from '../api/types';
import { ErrorBox, formatBytes, Loading } from '../components/common';
import { useAsync } from '../hooks/useAsync';

/** The agent command for a token (the options of src/SkillVL.Agent.Host/Program.cs); the Server is this page's origin.
 * The token goes to a 0600 file by the shell's own printf: on the agent's command line every local user could read it in
 * /proc for as long as the agent runs (the CLI prints the same line: NodeCommands.AgentCommand). */
export function agentCommand(origin: string, token: JoinTokenInfo, name: string): string {
  return (
    `(umask 077; printf '%s\\n' ${token.token} > skillvl-join-token) && ` +
    `sudo skillvl-agent --server ${origin} --join-token-file skillvl-join-token --name ${name || 'NAME'} --kind client`
  );
}

/** How soon "Leaving soon" says the computer goes: time enough to move a lab VM back at a home link's rate. */
export const LeavingSeconds = 600;

export function ComputersPage() {
  const nodes = useAsync((signal) => api.get('/api/v1/nodes', { signal }), [], 5000);
  const me = useAsync((signal) => api.get('/api/v1/me', { signal }), []);
  const [token, setToken] = useState<JoinTokenInfo>();
  const [name, setName] = useState('my-laptop');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [copied, setCopied] = useState(false);
  // The Server shows a node's owner only to admins and to the owner; an admin sees everyone's, so compare names.
  const username = me.data?.user.username;
  const mine = (nodes.data ?? []).filter((n) => n.kind === 'client' && username !== undefined && n.owner === username);

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const addComputer = () =>
    act(async () => {
      setCopied(false);
      setToken(await api.post('/api/v1/nodes/join-tokens', { body: { kind: 'client' } }));
    });
  const remove = (node: NodeInfo) =>
    act(async () => {
      await api.delete('/api/v1/nodes/{node}', { path: { node: node.name } });
      nodes.reload();
    });
  // Leaving (issue 14, ADR 0063): the machines on the computer go back to a server before it goes, whatever the policy
  // says; "Staying" withdraws it.
  const depart = (node: NodeInfo) =>
    act(async () => {
      await api.post('/api/v1/nodes/{node}/departure', { path: { node: node.name }, body: { inSeconds: LeavingSeconds } });
      nodes.reload();
    });
  const stay = (node: NodeInfo) =>
    act(async () => {
      await api.delete('/api/v1/nodes/{node}/departure', { path: { node: node.name } });
      nodes.reload();
    });
  const command = token ? agentCommand(window.location.origin, token, name) : '';
  const copy = () =>
    act(async () => {
      await navigator.clipboard.writeText(command);
      setCopied(true);
    });

  return (
    <main className="page">
      <h1>My computers</h1>
      <p className="muted small">
        Your own computer can run your machines as a client node: only you (and admins) see it, only your rooms' machines go there, and you can remove
        it at any time. It needs Linux with QEMU and root for its agent.
      </p>
      <ErrorBox error={nodes.error ?? error} />
      <section aria-labelledby="add-heading">
        <h2 id="add-heading">Add my computer</h2>
        <label>
          Name for it{' '}
          <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Computer name" pattern="[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?" />
        </label>{' '}
        <button type="button" className="primary" disabled={busy} onClick={addComputer}>
          Add my computer
        </button>
        {token && (
          <div role="region" aria-label="Join command">
            <p className="small">
              Run this on your computer before {new Date(token.expiresAt).toLocaleString()} (the token works once):
            </p>
            <pre className="mono agent-command" aria-label="Agent command">
              {command}
            </pre>
            <button type="button" disabled={busy} onClick={copy}>
              Copy
            </button>
            {copied && <span className="small"> copied</span>}
          </div>
        )}
      </section>
      <section aria-labelledby="mine-heading">
        <h2 id="mine-heading">Your computers</h2>
        {!nodes.data || !me.data ? (
          <Loading what="your computers" />
        ) : mine.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <table className="table">
            <caption className="sr-only">Your computers</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Size</th>
                <th scope="col">Machines running</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {mine.map((n) => (
                <tr key={n.name}>
                  <th scope="row">{n.name}</th>
                  <td>
                    {n.state}
                    {n.departsAt && <span className="muted small"> · leaving at {new Date(n.departsAt).toLocaleTimeString()}: its machines go back to a server first</span>}
                  </td>
                  <td className="small">
                    {num(n.cpus)} vCPU, {formatBytes(num(n.memoryBytes))}
                  </td>
                  <td>{num(n.machinesRunning)}</td>
                  <td>
                    {n.departsAt ? (
                      <button type="button" disabled={busy} onClick={() => stay(n)} aria-label={`${n.name} stays`}>
                        Staying
                      </button>
                    ) : (
                      <button type="button" disabled={busy} onClick={() => depart(n)} aria-label={`${n.name} leaves in 10 minutes`}>
                        Leaving soon
                      </button>
                    )}{' '}
                    <button type="button" disabled={busy} onClick={() => remove(n)} aria-label={`Remove ${n.name}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
