// Package campaign is the one home of the campaign concept: what a person
// asks triaged to stress (Spec), a stored campaign with its figures
// (Campaign), a runner's share of one (Job), the rules every entry point
// checks a spec with (Spec.Validate), how one iteration of it is built on a
// host (Campaign.Iteration), and when it may stop before its count
// (Spec.StopReason).
//
// The JSON API, the campaign form, GitHub webhooks, the runner agent and
// `triaged stress` all go through this package, and the store persists its
// types; nothing else defines a campaign. The built-in scenarios, their
// test ids and their parameter bounds belong to the stress package, which
// produces them; this package only refers to them.
package campaign
