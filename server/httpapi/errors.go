package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/phonghop/phonghop/server/auth"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// KindRateLimited is the error kind of a request refused because too many
// attempts failed recently (pairing codes, passwords).
const KindRateLimited = auth.KindRateLimited

// apiError is the JSON body of every error response and WebSocket error.
type apiError struct {
	Kind      meeting.Kind      `json:"kind"`
	Message   string            `json:"message"`
	MessageEN string            `json:"message_en"`
	Problems  []meeting.Problem `json:"problems,omitempty"`
}

// status maps an error kind to its HTTP status. This is the one place that
// does so.
func status(k meeting.Kind) int {
	switch k {
	case meeting.KindInvalid:
		return http.StatusBadRequest
	case meeting.KindNotFound:
		return http.StatusNotFound
	case meeting.KindConflict:
		return http.StatusConflict
	case meeting.KindForbidden:
		return http.StatusForbidden
	case meeting.KindUnauthorized:
		return http.StatusUnauthorized
	case KindRateLimited:
		return http.StatusTooManyRequests
	case store.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// toAPIError turns any error into what the user may see. Internal causes are
// logged by the caller, never shown.
func toAPIError(err error) apiError {
	var me *meeting.Error
	if errors.As(err, &me) && me.Kind != meeting.KindInternal {
		return apiError{Kind: me.Kind, Message: me.Message, MessageEN: me.MessageEN, Problems: me.Problems}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return apiError{Kind: meeting.KindNotFound, Message: "Không tìm thấy địa chỉ yêu cầu.", MessageEN: "no such route"}
		case http.StatusMethodNotAllowed:
			return apiError{Kind: meeting.KindInvalid, Message: "Phương thức không được hỗ trợ.", MessageEN: "method not allowed"}
		case http.StatusRequestEntityTooLarge:
			return apiError{Kind: meeting.KindInvalid, Message: "Dữ liệu gửi lên quá lớn.", MessageEN: "request body too large"}
		case http.StatusUnsupportedMediaType:
			return apiError{Kind: meeting.KindInvalid, Message: "Định dạng dữ liệu không được hỗ trợ.", MessageEN: "unsupported media type"}
		case http.StatusUnauthorized:
			return apiError{Kind: meeting.KindUnauthorized, Message: "Cần đăng nhập.", MessageEN: "login required"}
		case http.StatusForbidden:
			return apiError{Kind: meeting.KindForbidden, Message: "Không có quyền.", MessageEN: "forbidden"}
		case http.StatusBadRequest:
			return apiError{Kind: meeting.KindInvalid, Message: "Yêu cầu không hợp lệ.", MessageEN: "bad request"}
		}
	}
	return apiError{Kind: meeting.KindInternal, Message: "Lỗi hệ thống, vui lòng thử lại.", MessageEN: "internal error, please try again"}
}

// errorHandler is echo's HTTPErrorHandler: every error becomes JSON with a
// stable kind; internal causes are logged with the request.
func (s *API) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	ae := toAPIError(err)
	code := status(ae.Kind)
	var he *echo.HTTPError
	if errors.As(err, &he) && ae.Kind != meeting.KindInternal {
		code = he.Code
	}
	switch ae.Kind {
	case meeting.KindInternal:
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
	case store.KindUnavailable:
		s.log.Warn("request refused: the database does not answer", "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	var rl *auth.RateLimited
	if errors.As(err, &rl) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int((rl.RetryAfter+time.Second-1)/time.Second)))
	}
	if err := c.JSON(code, ae); err != nil {
		s.log.Debug("write error response", "err", err)
	}
}

// invalid is a shorthand for an Invalid error.
func invalid(vi, en string) error {
	return &meeting.Error{Kind: meeting.KindInvalid, Message: vi, MessageEN: en}
}

// unauthorized is the error of a request without a valid session.
var errUnauthorized = &meeting.Error{Kind: meeting.KindUnauthorized, Message: "Phiên làm việc không hợp lệ hoặc đã hết hạn; vui lòng đăng nhập.", MessageEN: "no valid session; please log in"}

// errForbidden is the error of a request the session's role does not allow.
var errForbidden = &meeting.Error{Kind: meeting.KindForbidden, Message: "Đồng chí không có quyền thực hiện thao tác này.", MessageEN: "your role does not allow this"}

// slogErr is the attribute for an error in logs.
func slogErr(err error) slog.Attr { return slog.Any("err", err) }
