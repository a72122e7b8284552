// Admin: nodes and their load, placement (live load, the controller's decisions), templates (with upload), users, and the
// audit log. The Server refuses every admin call of a non-admin (403); a non-admin who opens /admin is told so once
// instead of seeing a page of 403s.

import { Link, NavLink, Navigate, Route, Routes } from 'react-router';
import { api } from '../../api/api';
import { ErrorBox, Loading } from '../../components/common';
import { useAsync } from '../../hooks/useAsync';
import { AuditSection } from './AuditSection';
import { NodesSection } from './NodesSection';
import { PlacementSection } from './PlacementSection';
import { TemplatesSection } from './TemplatesSection';
import { UsersSection } from './UsersSection';

export function AdminPage() {
  const me = useAsync((signal) => api.get('/api/v1/me', { signal }), []);
  if (me.error && !me.data) return <ErrorBox error={me.error} />;
  if (!me.data) return <Loading what="your role" />;
  if (me.data.user.role !== 'admin') {
    return (
      <main className="page narrow">
        <h1>For admins only</h1>
        <p>
          Administration (nodes, templates, users, the audit log) is for admins; you are signed in as {me.data.user.username} (
          {me.data.user.role}).
        </p>
        <Link to="/">Home</Link>
      </main>
    );
  }
  return (
    <main className="page">
      <h1>Administration</h1>
      <nav aria-label="Administration" className="sub-nav">
        <NavLink to="/admin/nodes">Nodes</NavLink>
        <NavLink to="/admin/placement">Placement</NavLink>
        <NavLink to="/admin/templates">Templates</NavLink>
        <NavLink to="/admin/users">Users</NavLink>
        <NavLink to="/admin/audit">Audit log</NavLink>
      </nav>
      <Routes>
        <Route index element={<Navigate to="nodes" replace />} />
        <Route path="nodes" element={<NodesSection />} />
        <Route path="placement" element={<PlacementSection />} />
        <Route path="templates" element={<TemplatesSection />} />
        <Route path="users" element={<UsersSection />} />
        <Route path="audit" element={<AuditSection />} />
      </Routes>
    </main>
  );
}
