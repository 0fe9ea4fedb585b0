/** Members: the capability, the membership playbook, replies, identity (merge, duplicates), the CSV import and the doctor. Other folders import members/ only through this file (test/architecture/layers.ts). */
export { birthdaysOn } from './care.rules.js';
export { runDoctor } from './doctor.js';
export { type ProbableDuplicate, probableDuplicates } from './identity/duplicates.js';
export { IdentityRepo } from './identity/identity.repo.js';
export { mergeMembers, type MergeResult } from './identity/merge.js';
export { ENCODING_CHOICES, type EncodingChoice } from './import/encoding.js';
export { ImportFileError, type ImportProgress, type ImportResult, runImport } from './import/engine.js';
export { importKinds } from './import/kinds/index.js';
export { formatIssues, formatSummary } from './import/report.js';
export { IMPORT_KINDS, type ImportKindName } from './import/types.js';
export { membersCapability } from './members.capability.js';
export { displayName, tierName } from './members.replies.js';
export { MembersRepo } from './members.repo.js';
export { loadMembershipPlaybook, type MembershipPlaybook, PlaybookHolder, tierNamesIn } from './playbook.js';
export { MEMBERSHIP_PLAYBOOK } from './published.js';
