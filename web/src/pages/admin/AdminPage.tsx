// Admin: nodes and their load, placement (live load, the controller's decisions), templates (with upload), users, and the audit log. The Server refuses every
// admin call of a non-admin (403), which the sections show as their error.

import { NavLink, Navigate, Route, Routes } from 'react-router';
import { AuditSection } from './AuditSection';
import { NodesSection } from './NodesSection';
import { PlacementSection } from './PlacementSection';
import { TemplatesSection } from './TemplatesSection';
import { UsersSection } from './UsersSection';

export function AdminPage() {
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
