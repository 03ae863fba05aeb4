// Shared helpers for every compute shader.
#extension GL_EXT_control_flow_attributes : enable

// Work is laid out over a 2D grid of workgroups so that more than 65535 of them
// fit in one dispatch (maxComputeWorkGroupCount[0] is 65535 on many devices).
uint linear_group_id() { return gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x; }
