// Names for the contract's schemas, so pages import types rather than index into `components`.
import type { components } from './schema';

type Schemas = components['schemas'];
export type AuthConfig = Schemas['AuthConfig'];
export type RoomSummary = Schemas['RoomSummary'];
export type RoomDetails = Schemas['RoomDetails'];
export type RoomDefinition = Schemas['RoomDefinition'];
export type MachineStatus = Schemas['MachineStatus'];
export type NetworkStatus = Schemas['NetworkStatus'];
export type TaskInfo = Schemas['TaskInfo'];
export type TaskLogLine = Schemas['TaskLogLine'];
export type TemplateInfo = Schemas['TemplateInfo'];
export type CourseInfo = Schemas['CourseInfo'];
export type MeInfo = Schemas['MeInfo'];
export type QuotaUsage = Schemas['QuotaUsage'];

export type ConsoleTicket = Schemas['ConsoleTicket'];
export type ConsoleViewer = Schemas['ConsoleViewer'];
export type EventStreamTicket = Schemas['EventStreamTicket'];
export type ConsoleKind = 'vnc' | 'spice' | 'serial';
export type NodeInfo = Schemas['NodeInfo'];
export type JoinTokenInfo = Schemas['JoinTokenInfo'];
export type UserInfo = Schemas['UserInfo'];
export type AuditEntry = Schemas['AuditEntry'];
export type StudentInfo = Schemas['StudentInfo'];
export type CourseInstanceInfo = Schemas['CourseInstanceInfo'];
export type CourseVersionInfo = Schemas['CourseVersionInfo'];
export type TemplateUploadInfo = Schemas['TemplateUploadInfo'];
export type InviteInfo = Schemas['InviteInfo'];
export type CreatedUser = Schemas['CreatedUser'];
export type InstanceActionOutcome = Schemas['InstanceActionOutcome'];
export type CheckResultInfo = Schemas['CheckResultInfo'];
