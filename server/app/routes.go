package app

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
)

// routes registers every route of the server, in one place.
func (s *Server) routes() {
	f := s.fiber
	f.Get("/healthz", s.healthz)
	f.Get("/readyz", s.readyz)
	f.Get("/metrics", s.metricsHandler())

	f.Use(s.language, s.session, s.csrf)

	// Residents (#5): language first, then the keypad; the QR code's link
	// /j/{code}; the answer page; "my input"; receipts for shared devices.
	// Their pages are compressed: they carry no secret a compression
	// side channel could reveal, and must load fast on weak wifi.
	zip := compress.New(compress.Config{Level: compress.LevelBestSpeed})
	f.Get("/", zip, s.resident.Join)
	f.Get("/language", zip, s.resident.Language)
	f.Get("/j", s.resident.JoinForm)
	f.Get("/j/:code", s.resident.JoinLink)
	f.Get("/s/:id", zip, s.resident.Session)
	f.Get("/mine", zip, s.resident.Mine)
	f.Post("/mine/:id/delete", s.resident.MineDelete)
	f.Get("/r", s.resident.ReceiptForm)
	f.Get("/r/:code", zip, s.resident.Receipt)
	f.Get("/r/:code/qr.svg", zip, s.resident.ReceiptQR)
	f.Post("/r/:code/:id/delete", s.resident.ReceiptDelete)
	// Before the API group below, whose staff check would run first.
	f.Post("/api/v1/receipt", s.resident.ReceiptCreate)
	f.Post("/api/v1/profile", s.resident.ProfileSave)
	f.Post("/api/v1/leave", s.resident.Leave)
	f.Get("/login", s.web.Login)
	f.Post("/login", s.web.LoginPost)
	f.Get("/moderation-policy", s.web.ModerationPolicy)
	// The privacy and accessibility statements (#9), linked from every page.
	f.Get("/privacy", s.web.Privacy)
	f.Get("/accessibility", s.web.Accessibility)
	// Who made the pictograms and the software, and their licences (#5).
	f.Get("/credits", s.web.Credits)

	// Staff pages take requireStaff per route: a Group("") middleware would
	// run for every later route, the API login and unknown paths included.
	staff := staffRoutes{f, s.requireStaff}
	staff.Post("/logout", s.web.Logout)
	staff.Get("/account/password", s.web.Password)
	staff.Post("/account/password", s.web.PasswordPost)
	staff.Get("/staff", s.web.Home)
	staff.Post("/orgs", s.web.OrgCreate)
	staff.Get("/orgs/:org", s.web.Org)
	staff.Post("/orgs/:org", s.web.OrgRename)
	staff.Post("/orgs/:org/retention", s.web.OrgRetention)
	staff.Post("/orgs/:org/neighbourhoods", s.web.NeighbourhoodCreate)
	staff.Get("/orgs/:org/neighbourhoods/:id", s.web.NeighbourhoodEdit)
	staff.Post("/orgs/:org/neighbourhoods/:id", s.web.NeighbourhoodUpdate)
	staff.Post("/orgs/:org/neighbourhoods/:id/delete", s.web.NeighbourhoodDelete)
	staff.Post("/orgs/:org/venues", s.web.VenueCreate)
	staff.Get("/orgs/:org/venues/:id", s.web.VenueEdit)
	staff.Post("/orgs/:org/venues/:id", s.web.VenueUpdate)
	staff.Post("/orgs/:org/venues/:id/delete", s.web.VenueDelete)
	staff.Post("/orgs/:org/staff", s.web.StaffCreate)
	staff.Get("/orgs/:org/staff/:id", s.web.StaffEdit)
	staff.Post("/orgs/:org/staff/:id", s.web.StaffUpdate)
	staff.Post("/orgs/:org/staff/:id/remove", s.web.StaffRemove)
	staff.Post("/orgs/:org/staff/:id/reset-password", s.web.StaffResetPassword)

	// The intermediary console: prepare, open and run live sessions.
	staff.Get("/orgs/:org/sessions", s.console.SessionList)
	staff.Post("/orgs/:org/sessions", s.console.SessionCreate)
	staff.Get("/orgs/:org/sessions/:id", s.console.SessionEdit)
	staff.Post("/orgs/:org/sessions/:id", s.console.SessionUpdate)
	staff.Post("/orgs/:org/sessions/:id/prompts", s.console.PromptAdd)
	staff.Post("/orgs/:org/sessions/:id/prompts/save", s.console.PromptSave)
	staff.Post("/orgs/:org/sessions/:id/prompts/move", s.console.PromptMove)
	staff.Post("/orgs/:org/sessions/:id/prompts/delete", s.console.PromptDelete)
	staff.Post("/orgs/:org/sessions/:id/prompts/audio", s.console.PromptAudioSave)
	staff.Post("/orgs/:org/sessions/:id/prompts/audio/delete", s.console.PromptAudioDelete)
	staff.Post("/orgs/:org/sessions/:id/copy", s.console.SessionCopy)
	staff.Post("/orgs/:org/sessions/:id/open", s.console.SessionOpen)
	staff.Post("/orgs/:org/sessions/:id/move", s.console.SessionMove)
	staff.Post("/orgs/:org/sessions/:id/close", s.console.SessionClose)
	staff.Get("/orgs/:org/sessions/:id/console", s.console.Console)
	staff.Get("/orgs/:org/moderation-log", s.modlog.Show)
	staff.Get("/orgs/:org/sessions/:id/qr.svg", s.console.SessionQR)
	// Receipt slips for residents without a phone (#5): the form, or with
	// ?sheet= a printable sheet; making a sheet.
	staff.Get("/orgs/:org/sessions/:id/slips", s.console.Slips)
	staff.Post("/orgs/:org/sessions/:id/slips", s.console.SlipsCreate)
	// The projector view needs no login: the key in its link is the
	// permission, checked by the handler.
	f.Get("/orgs/:org/sessions/:id/projector", s.console.Projector)

	// Closing the loop (#7): inbox, topics and responses, reports.
	staff.Get("/orgs/:org/inbox", s.reviews.Inbox)
	staff.Post("/orgs/:org/contributions/:id/notes", s.reviews.Annotate)
	staff.Post("/orgs/:org/contributions/:id/translate", s.reviews.MachineTranslate)
	staff.Get("/orgs/:org/topics", s.reviews.Topics)
	staff.Post("/orgs/:org/topics", s.reviews.Group)
	staff.Get("/orgs/:org/topics/:id", s.reviews.Topic)
	staff.Post("/orgs/:org/topics/:id", s.reviews.TopicEdit)
	staff.Post("/orgs/:org/topics/:id/remove", s.reviews.TopicRemove)
	staff.Post("/orgs/:org/topics/:id/respond", s.reviews.TopicRespond)
	staff.Post("/orgs/:org/review-settings", s.reviews.Settings)
	staff.Get("/orgs/:org/reports", s.reviews.Report)
	staff.Get("/orgs/:org/reports/report.csv", s.reviews.ReportExport)
	staff.Get("/orgs/:org/reports/report.json", s.reviews.ReportExport)
	staff.Get("/orgs/:org/reports/contributions.csv", s.reviews.ContributionsExport)
	staff.Get("/orgs/:org/reports/contributions.json", s.reviews.ContributionsExport)
	// The public board "you said, we did": no login, published responses
	// only.
	f.Get("/buurt/:id", s.reviews.Board)

	f.Post("/api/v1/join", s.live.Join)
	f.Get("/live/:session/ws", s.live.Upgrade)
	// Residents' voice notes and photos, and prompts read aloud (#5). The
	// media handler itself lets only the uploader and the organisation's
	// staff play a file.
	f.Post("/live/:session/media", s.media.Upload)
	f.Get("/live/:session/prompts/:prompt/audio/:lang", s.media.PromptAudio)
	f.Get("/media/:id", s.media.Play)
	// Result photos of published responses (#7): public, for the board
	// and residents' pages; every other file stays behind /media.
	f.Get("/photos/:id", s.media.ResponsePhoto)

	f.Post("/api/v1/login", s.api.Login)
	v1 := f.Group("/api/v1", s.requireStaff)
	v1.Post("/logout", s.api.Logout)
	v1.Get("/me", s.api.Me)
	v1.Post("/password", s.api.Password)
	v1.Get("/orgs", s.api.Orgs)
	v1.Post("/orgs", s.api.OrgCreate)
	v1.Get("/orgs/:org", s.api.Org)
	v1.Put("/orgs/:org", s.api.OrgUpdate)
	v1.Get("/orgs/:org/neighbourhoods", s.api.Neighbourhoods)
	v1.Post("/orgs/:org/neighbourhoods", s.api.NeighbourhoodCreate)
	v1.Get("/orgs/:org/neighbourhoods/:id", s.api.Neighbourhood)
	v1.Put("/orgs/:org/neighbourhoods/:id", s.api.NeighbourhoodUpdate)
	v1.Delete("/orgs/:org/neighbourhoods/:id", s.api.NeighbourhoodDelete)
	v1.Get("/orgs/:org/venues", s.api.Venues)
	v1.Post("/orgs/:org/venues", s.api.VenueCreate)
	v1.Get("/orgs/:org/venues/:id", s.api.Venue)
	v1.Put("/orgs/:org/venues/:id", s.api.VenueUpdate)
	v1.Delete("/orgs/:org/venues/:id", s.api.VenueDelete)
	v1.Get("/orgs/:org/staff", s.api.Staff)
	v1.Post("/orgs/:org/staff", s.api.StaffCreate)
	v1.Get("/orgs/:org/staff/:id", s.api.StaffMember)
	v1.Put("/orgs/:org/staff/:id", s.api.StaffUpdate)
	v1.Delete("/orgs/:org/staff/:id", s.api.StaffRemove)
	v1.Post("/orgs/:org/staff/:id/reset-password", s.api.StaffResetPassword)
	v1.Get("/orgs/:org/sessions", s.liveAPI.List)
	v1.Post("/orgs/:org/sessions", s.liveAPI.Create)
	v1.Get("/orgs/:org/sessions/:id", s.liveAPI.Get)
	v1.Put("/orgs/:org/sessions/:id", s.liveAPI.Update)
	v1.Post("/orgs/:org/sessions/:id/copy", s.liveAPI.Copy)
	v1.Post("/orgs/:org/sessions/:id/open", s.liveAPI.Open)
	v1.Post("/orgs/:org/sessions/:id/move", s.liveAPI.Move)
	v1.Post("/orgs/:org/sessions/:id/close", s.liveAPI.Close)

	f.Use(notFound)
}

type staffRoutes struct {
	f       *fiber.App
	require fiber.Handler
}

func (r staffRoutes) Get(path string, h fiber.Handler)  { r.f.Get(path, r.require, h) }
func (r staffRoutes) Post(path string, h fiber.Handler) { r.f.Post(path, r.require, h) }
