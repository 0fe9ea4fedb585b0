/** The admin chat commands (今日, 待回复, 活动, 暂停活动, 恢复活动, 查会员): what other folders may use. Other folders import admin/ only through this file (test/architecture/layers.ts). */
export { adminCapability } from './admin.capability.js';
