package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"storefront/static"
)

// routes registers every route of the shop in one place.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.errorHandler
	// Only the direct peer's address counts; a forged X-Forwarded-For must
	// not dodge rate limits.
	e.IPExtractor = echo.ExtractIPDirect()

	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RequestID())
	e.Use(middleware.Recover())
	e.Use(middleware.BodyLimit("2M"))
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: 20 * time.Second}))
	e.Use(s.securityHeaders)

	// Assets and machine endpoints: no session, no CSRF.
	e.StaticFS("/static", static.FS)
	e.GET("/img/p/:id", s.productImage)
	e.GET("/healthz", s.healthz)

	// Pages: sessions, visitor identity and CSRF on every form.
	site := e.Group("", echo.WrapMiddleware(s.sessions.LoadAndSave), s.identify,
		middleware.CSRFWithConfig(middleware.CSRFConfig{
			TokenLookup:    "form:_csrf,header:X-CSRF-Token",
			CookieName:     "sf_csrf",
			CookiePath:     "/",
			CookieHTTPOnly: true,
			CookieSecure:   s.cfg.SecureCookies,
			CookieSameSite: http.SameSiteLaxMode,
		}), s.handleErrors)

	// Shopping.
	site.GET("/", s.home)
	site.GET("/c/:slug", s.category)
	site.GET("/p/:id", s.product)
	site.GET("/search", s.search)
	site.GET("/cart", s.cart)
	site.POST("/cart/add", s.cartAdd)
	site.POST("/cart/update", s.cartUpdate)
	site.GET("/checkout", s.checkoutForm, requireShopper)
	site.POST("/checkout", s.checkoutSubmit, requireShopper)
	site.GET("/orders", s.orders, requireShopper)
	site.GET("/orders/:id", s.order, requireShopper)

	// Accounts.
	site.GET("/login", s.loginForm)
	site.POST("/login", s.login)
	site.GET("/register", s.registerForm)
	site.POST("/register", s.register)
	site.POST("/logout", s.logout)
	site.GET("/account", s.account, requireShopper)
	site.POST("/account/personalization", s.accountPersonalization, requireShopper)
	site.GET("/account/export", s.accountExport, requireShopper)
	site.POST("/account/delete", s.accountDelete, requireShopper)

	site.RouteNotFound("/*", func(c echo.Context) error { return echo.ErrNotFound })
	return e
}
