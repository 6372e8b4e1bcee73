package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"storefront/models"
)

// routes registers every route of the shop in one place.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.errorHandler
	// The client's address (rate limits) is the direct peer's, or, behind
	// a trusted proxy, the one it forwarded for; a forged X-Forwarded-For
	// must not dodge rate limits.
	warn := &proxyWarning{now: s.now, log: s.log}
	e.IPExtractor = clientIP(s.cfg.TrustedProxies, warn.heard)

	// A trailing slash is dropped: page requests are redirected, so the
	// address bar shows the one address of the page; any other method is
	// served under the address without the slash, because a browser repeats
	// a redirected POST as a GET and the submitted form would be lost.
	// Security headers first, so every answer carries them: redirects, and
	// refusals by the body limit (413) too.
	e.Pre(s.securityHeaders)
	e.Pre(headAsGet)
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{
		RedirectCode: http.StatusMovedPermanently, Skipper: func(c echo.Context) bool { return !isPageRead(c) }}))
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{Skipper: isPageRead}))
	e.Use(middleware.RequestID())
	e.Use(removeMultipartFiles)
	e.Use(s.prom.instrument)
	e.Use(middleware.Recover())
	// Uploads have their own, larger limit, and more time
	// (bigBodiesFromStaffOnly).
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "2M", Skipper: isBigUpload}))
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: s.deadlines.page, Skipper: isBigUpload}))

	// Assets and machine endpoints: no session, no CSRF.
	e.GET("/static/*", s.staticAsset)
	e.GET("/img/p/:id", s.productImage)
	e.GET("/img/u/:name", s.uploadedImage)
	e.GET("/logo", s.shopLogo)
	e.GET("/search/suggest", s.searchSuggest)
	e.GET("/healthz", s.healthz)
	e.GET("/metrics", s.metrics)

	// JSON API for external trackers and clients: API keys, no cookies.
	api := e.Group("/api/v1")
	api.GET("/recommendations", s.apiRecommendations, s.requireAPIKey(models.ScopeRecommendations))
	api.POST("/events", s.apiEvents, s.requireAPIKey(models.ScopeEvents))

	// Pages: sessions, visitor identity and CSRF on every form. Errors,
	// a refused CSRF token included, are rendered inside the session
	// middleware, while the request's context is still live for the
	// session commit.
	site := e.Group("", echo.WrapMiddleware(s.sessions.LoadAndSave), s.adoptOldSession, s.identify, s.withShop, s.handleErrors,
		s.bigBodiesFromStaffOnly, textOnly, csrfNotInQuery,
		middleware.CSRFWithConfig(middleware.CSRFConfig{
			TokenLookup:    "form:_csrf,header:X-CSRF-Token",
			CookieName:     csrfCookieName(s.cfg.SecureCookies),
			CookiePath:     "/",
			CookieHTTPOnly: true,
			CookieSecure:   s.cfg.SecureCookies,
			CookieSameSite: http.SameSiteLaxMode,
		}))

	// Shopping.
	site.GET("/", s.home)
	site.GET("/c/:slug", s.category)
	site.GET("/p/:id", s.product)
	site.GET("/search", s.search)
	site.GET("/sale", s.sale)
	site.GET("/l/:slug", s.campaign)
	site.GET("/b/:slot/:creative", s.bannerClick)
	site.GET("/cart", s.cart)
	site.POST("/cart/add", s.cartAdd)
	site.POST("/cart/update", s.cartUpdate)
	site.GET("/checkout", s.checkoutForm, requireShopper)
	site.POST("/checkout", s.checkoutSubmit, requireShopper)
	site.GET("/orders", s.orders, requireShopper)
	site.GET("/orders/:id", s.order, requireShopper)
	site.GET("/shipping-returns", s.shippingReturns)
	if s.cfg.BenchReference {
		// The load harness's fixed homepage; see bench_reference.go.
		site.GET("/bench/reference", s.benchReference)
	}

	// Accounts.
	site.GET("/login", s.loginForm)
	site.POST("/login", s.login)
	site.GET("/register", s.registerForm)
	site.POST("/register", s.register)
	site.GET("/password/forgot", s.forgotPassword)
	site.POST("/password/forgot", s.sendPasswordReset)
	site.GET("/password/reset", s.resetPasswordForm)
	site.POST("/password/reset", s.resetPassword)
	site.POST("/logout", s.logout)
	site.GET("/account", s.account, requireShopper)
	site.POST("/account/personalization", s.accountPersonalization, requireShopper)
	site.GET("/account/password", s.accountPasswordForm, requireShopper)
	site.POST("/account/password", s.accountPassword, requireShopper)
	site.POST("/account/sessions/end", s.accountSignOutOthers, requireShopper)
	site.GET("/account/export", s.accountExport, requireShopper)
	site.GET("/account/interests", s.interests, requireShopper)
	site.POST("/account/interests/remove", s.interestRemove, requireShopper)
	site.POST("/account/interests/forget", s.interestForgetItem, requireShopper)
	site.POST("/account/interests/show", s.interestShow, requireShopper)
	site.POST("/account/interests/reset", s.interestReset, requireShopper)
	site.POST("/account/delete", s.accountDelete, requireShopper)

	// Admin. Staff only: merchandisers and admins edit the layout, catalog
	// and read analytics; only admins manage API keys.
	admin := site.Group("/admin", adminNoStore)
	staff := s.requireStaff(everyStaffRole...)
	adminOnly := s.requireStaff(adminRole...)
	admin.GET("/setup", s.adminSetupForm)
	admin.POST("/setup", s.adminSetup)
	admin.GET("/login", s.adminLoginForm)
	admin.POST("/login", s.adminLogin)
	admin.POST("/logout", s.adminLogout, staff)
	admin.GET("/password", s.adminPasswordForm, staff)
	admin.POST("/password", s.adminPassword, staff)
	admin.GET("", s.adminIndex, staff)
	// Layout editors: the homepage's, and each campaign page's under
	// /admin/campaigns/<slug>: the same handlers, told by the last
	// middleware which page they edit.
	for _, ed := range []struct {
		editor, preview, versions string
		page                      echo.MiddlewareFunc
	}{
		{"/layout", "/preview", "/versions", s.homeEditor},
		{"/campaigns/:slug", "/campaigns/:slug/preview", "/campaigns/:slug/versions", s.campaignEditor},
	} {
		mw := []echo.MiddlewareFunc{staff, ed.page}
		admin.GET(ed.editor, s.adminLayout, mw...)
		admin.GET(ed.editor+"/slots/new", s.adminSlotNew, mw...)
		admin.POST(ed.editor+"/slots", s.adminSlotSave, mw...)
		admin.GET(ed.editor+"/slots/:id/edit", s.adminSlotEdit, mw...)
		admin.POST(ed.editor+"/slots/:id", s.adminSlotSave, mw...)
		admin.GET(ed.editor+"/slots/:id/delete", s.adminSlotDeleteConfirm, mw...)
		admin.POST(ed.editor+"/slots/:id/delete", s.adminSlotDelete, mw...)
		admin.POST(ed.editor+"/slots/:id/toggle", s.adminSlotToggle, mw...)
		admin.POST(ed.editor+"/slots/:id/move", s.adminSlotMove, mw...)
		admin.POST(ed.editor+"/slots/:id/add", s.adminSlotAddProduct, mw...)
		admin.GET(ed.editor+"/slots/:id/creatives/new", s.adminCreativeEdit, mw...)
		admin.POST(ed.editor+"/slots/:id/creatives", s.adminCreativeSave, mw...)
		admin.GET(ed.editor+"/slots/:id/creatives/:cid/edit", s.adminCreativeEdit, mw...)
		admin.POST(ed.editor+"/slots/:id/creatives/:cid", s.adminCreativeSave, mw...)
		admin.POST(ed.editor+"/slots/:id/creatives/:cid/delete", s.adminCreativeDelete, mw...)
		admin.POST(ed.editor+"/reorder", s.adminLayoutReorder, mw...)
		admin.GET(ed.editor+"/publish", s.adminPublishConfirm, mw...)
		admin.POST(ed.editor+"/publish", s.adminLayoutPublish, mw...)
		admin.GET(ed.preview, s.adminPreview, mw...)
		admin.GET(ed.versions, s.adminVersions, mw...)
		admin.GET(ed.versions+"/:id/rollback", s.adminRollbackConfirm, mw...)
		admin.POST(ed.versions+"/:id/rollback", s.adminRollback, mw...)
	}
	admin.GET("/campaigns", s.adminCampaigns, staff)
	admin.POST("/campaigns", s.adminCampaignCreate, staff)
	admin.POST("/campaigns/:slug/settings", s.adminCampaignUpdate, staff, s.campaignEditor)
	admin.GET("/products/search", s.adminProductSearch, staff)
	admin.GET("/analytics", s.adminAnalytics, staff)
	admin.GET("/analytics.csv", s.adminAnalyticsCSV, staff)
	admin.GET("/experiments", s.adminExperiments, staff)
	admin.GET("/experiments/new", s.adminExperimentNew, staff)
	admin.POST("/experiments", s.adminExperimentCreate, staff)
	admin.POST("/experiments/control", s.adminControlGroup, staff)
	admin.GET("/experiments/:id", s.adminExperiment, staff)
	admin.POST("/experiments/:id/start", s.adminExperimentStart, staff)
	admin.POST("/experiments/:id/stop", s.adminExperimentStop, staff)
	admin.POST("/experiments/:id/promote", s.adminExperimentPromote, staff)
	admin.GET("/catalog", s.adminCatalog, staff)
	admin.POST("/catalog/:id", s.adminProductUpdate, staff)
	admin.GET("/catalog/:id/image", s.adminProductImage, staff)
	admin.POST("/catalog/:id/image", s.adminProductImageUpload, staff, middleware.BodyLimit(strconv.Itoa(maxImageRequest>>20)+"M"))
	admin.POST("/catalog/:id/image/remove", s.adminProductImageRemove, staff)
	admin.GET("/audit", s.adminAudit, staff)
	admin.GET("/search", s.adminSearch, staff)
	admin.POST("/search/synonyms", s.adminSynonymsSave, staff)
	admin.POST("/search/synonyms/reset", s.adminSynonymsReset, staff)
	admin.GET("/api-keys", s.adminAPIKeys, adminOnly)
	admin.POST("/api-keys", s.adminAPIKeyCreate, adminOnly)
	admin.POST("/api-keys/:id/revoke", s.adminAPIKeyRevoke, adminOnly)
	admin.GET("/model", s.adminModel, staff)
	admin.POST("/model/retrain", s.adminRetrain, staff)
	admin.POST("/settings/retention", s.adminRetention, adminOnly)
	admin.GET("/settings", s.adminSettings, adminOnly)
	admin.POST("/settings", s.adminSettingsSave, adminOnly)
	admin.POST("/settings/logo", s.adminLogoUpload, adminOnly)
	admin.POST("/settings/logo/remove", s.adminLogoRemove, adminOnly)
	admin.GET("/import", s.adminImport, adminOnly)
	admin.POST("/import", s.adminImportUpload, adminOnly, middleware.BodyLimit(strconv.Itoa(maxImportUpload/(1<<20))+"M"))
	admin.GET("/import/:job", s.adminImportJob, adminOnly)
	admin.POST("/import/:job/apply", s.adminImportApply, adminOnly)
	admin.GET("/customers", s.adminCustomers, adminOnly)
	admin.POST("/customers/:id/email", s.adminCustomerEmail, adminOnly)
	admin.GET("/catalog.csv", s.adminCatalogCSV, staff)
	admin.GET("/staff", s.adminStaff, adminOnly)
	admin.POST("/staff", s.adminStaffAdd, adminOnly)
	admin.POST("/staff/:id/role", s.adminStaffRole, adminOnly)
	admin.POST("/staff/:id/active", s.adminStaffActive, adminOnly)
	admin.POST("/staff/:id/password", s.adminStaffPassword, adminOnly)
	admin.POST("/staff/:id/remove", s.adminStaffRemove, adminOnly)
	admin.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound }, staff)

	site.RouteNotFound("/*", func(c echo.Context) error { return echo.ErrNotFound })
	return e
}

// csrfCookieName is the CSRF cookie's name. Behind TLS it carries the
// __Host- prefix: a browser keeps such a cookie only when the shop's own
// host set it, Secure, on path / and without a Domain, so a page on a
// sibling subdomain (same site) can no longer plant a token of its own
// choosing for the shop's domain and then submit a form with it (the
// tokens are double-submit cookies). Plain http cannot have the prefix.
func csrfCookieName(secure bool) string {
	if secure {
		return "__Host-sf_csrf"
	}
	return "sf_csrf"
}

// isPageRead reports whether the request only reads (GET or HEAD), so a
// redirect repeats it faithfully.
func isPageRead(c echo.Context) bool {
	m := c.Request().Method
	return m == http.MethodGet || m == http.MethodHead
}

// headKey marks a request that came as HEAD (headAsGet).
type headKey struct{}

// headAsGet answers HEAD for every GET route: the request is served as a
// GET with the same status and headers and no body (echo registers no HEAD
// routes; an uptime monitor using HEAD saw 404). It records no events, so
// a monitor polling the homepage is not a stream of new visitors.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodHead {
			return next(c)
		}
		// echo's router reads the method from the request the server
		// passed in, so that one is the one changed, and set back before
		// the server finishes the answer as a HEAD.
		r.Method = http.MethodGet
		defer func() { r.Method = http.MethodHead }()
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), headKey{}, true)))
		c.Response().Writer = headWriter{c.Response().Writer}
		return next(c)
	}
}

// isHead reports whether the request came as HEAD.
func isHead(c echo.Context) bool {
	v, _ := c.Request().Context().Value(headKey{}).(bool)
	return v
}

// headWriter drops the body of a HEAD answer.
type headWriter struct{ http.ResponseWriter }

func (w headWriter) Write(b []byte) (int, error) { return len(b), nil }

// Unwrap lets http.ResponseController reach the connection.
func (w headWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
