package server

// RenderMinutes renders the minutes for an archive with package
// server/minutes. Until that package is merged it is nil, which leaves
// archiving off.
var RenderMinutes MinutesRenderer
