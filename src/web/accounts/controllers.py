"""Sign-up, sign-in, sign-out and password reset: HTML pages and JSON API."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from msgspec import Struct

from matching.accounts import services
from matching.errors import DomainError
from matching.i18n import N_
from matching.signup import services as signup
from web.api_errors import document_errors
from web.auth import LANGUAGE_COOKIE, account_of, requires_login, sign_in
from web.consent.context import notice_context
from web.context import base_url
from web.forms import form_data, form_errors, render_form
from web.home import home_in_place, role_home
from web.ratelimit import client_address, hit
from web.sessions import rotate_session, session_was_ended

logger = logging.getLogger("web.accounts")
SIGNUP_SENT = N_("We sent a message to this address. Open the link in it to finish.")


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after login."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


async def _limit(request: Request, bucket: str) -> None:
    settings = request.app.state.settings
    await hit(
        request.app.stores.get("ratelimit"),
        bucket,
        client_address(request, settings.trusted_proxies),
        limit=settings.login_attempts_per_minute,
    )


def _after_answer(
    function: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any
) -> BackgroundTask:
    """Run ``function`` once the answer is sent, so its cost does not show in the answer's
    timing (which would tell whether an address has an account); failures are logged."""

    async def run() -> None:
        try:
            await function(*args, **kwargs)
        except Exception:
            logger.exception("%s failed after the answer was sent", function.__name__)

    return BackgroundTask(run)


class AccountPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/login")
    async def login_page(
        self,
        request: Request,
        next: FromQuery[str | None] = None,
        ended: FromQuery[str | None] = None,
    ) -> Template:
        return render_form(
            "accounts/login.html",
            values={"next": _safe_next(next)},
            errors={},
            ended=bool(ended) or session_was_ended(request),
        )

    @post("/login")
    async def login(self, request: Request) -> Template | Redirect:
        data = await form_data(request)
        values = {"email": data.get("email", ""), "next": _safe_next(data.get("next"))}
        try:
            await _limit(request, "login")
        except DomainError as exc:
            response = render_form("accounts/login.html", values=values, errors=form_errors(exc))
            response.status_code = exc.status_code
            return response
        account = await services.authenticate(
            str(data.get("email", "")), str(data.get("password", ""))
        )
        if account is None:
            return render_form(
                "accounts/login.html",
                values=values,
                errors={"__all__": "Wrong email or password."},
            )
        await sign_in(request, account)
        if values["next"] != "/":
            return Redirect(values["next"])
        home = role_home(request, account.role.value)
        # The home page itself when it can be, not a redirect to it: one round trip less.
        return await home_in_place(request, account, home) or Redirect(home)

    @post("/logout", guards=[requires_login])
    async def logout(self, request: Request) -> Redirect:
        rotate_session(request)
        request.clear_session()
        return Redirect("/login")

    @get("/account/password", guards=[requires_login])
    async def password_page(self) -> Template:
        return render_form("accounts/password.html", values={}, errors={})

    @post("/account/password", guards=[requires_login])
    async def change_password(self, request: Request) -> Template:
        """A new password ends every other session; this one continues under a new id."""
        data = await form_data(request)
        account = account_of(request)
        assert account is not None
        try:
            await _limit(request, "password_change")
            changed = await services.change_password(
                account, str(data.get("current_password", "")), str(data.get("password", ""))
            )
        except DomainError as exc:
            response = render_form("accounts/password.html", values={}, errors=form_errors(exc))
            response.status_code = exc.status_code
            return response
        await sign_in(request, changed)
        return render_form("accounts/password.html", values={}, errors={}, changed=True)

    @get("/signup")
    async def signup_page(self, request: Request) -> Template:
        return render_form("accounts/signup.html", values={}, errors={}, **notice_context())

    @post("/signup")
    async def signup(self, request: Request) -> Template:
        """The same answer whether or not the address has an account (see matching.signup)."""
        data = await form_data(request)
        values = {k: data.get(k, "") for k in ("email", "full_name", "language", "privacy_notice")}
        try:
            await _limit(request, "signup")
            form = signup.check_signup(
                signup.SignupForm(
                    email=str(data.get("email", "")),
                    full_name=str(data.get("full_name", "")),
                    password=str(data.get("password", "")),
                    language=str(data.get("language") or request.scope["state"]["language"]),
                    privacy_notice=str(data.get("privacy_notice", "")),
                )
            )
        except DomainError as exc:
            response = render_form(
                "accounts/signup.html", values=values, errors=form_errors(exc), **notice_context()
            )
            response.status_code = exc.status_code  # 429 when limited, 422 for a field
            return response
        return Template(
            "accounts/signup_sent.html",
            context={"email": form.email},
            background=_after_answer(signup.request_signup, form, base_url=base_url(request)),
        )

    @get("/signup/confirm/{token:str}")
    async def confirm_page(self, token: FromPath[str]) -> Template:
        pending = await signup.pending_signup(token)
        return render_form(
            "accounts/signup_confirm.html", values={}, errors={}, pending=pending, token=token
        )

    @post("/signup/confirm/{token:str}")
    async def confirm(self, request: Request, token: FromPath[str]) -> Redirect:
        account = await signup.confirm_signup(token)
        await sign_in(request, account)
        return Redirect("/", status_code=303)

    @get("/password/forgot")
    async def forgot_page(self) -> Template:
        return render_form("accounts/forgot.html", values={}, errors={})

    @post("/password/forgot")
    async def forgot(self, request: Request) -> Template:
        data = await form_data(request)
        try:
            await _limit(request, "password_reset")
        except DomainError as exc:
            response = render_form("accounts/forgot.html", values=data, errors=form_errors(exc))
            response.status_code = exc.status_code
            return response
        # After the answer: it takes as long for an unknown address as for a known one.
        response = render_form("accounts/forgot.html", values={}, errors={}, sent=True)
        response.background = _after_answer(
            services.request_password_reset, str(data.get("email", "")), base_url=base_url(request)
        )
        return response

    @get("/password/reset/{token:str}")
    async def reset_page(self, token: FromPath[str]) -> Template:
        return render_form("accounts/reset.html", values={}, errors={}, token=token)

    @post("/password/reset/{token:str}")
    async def reset(self, request: Request, token: FromPath[str]) -> Template | Redirect:
        data = await form_data(request)
        try:
            await _limit(request, "password_reset")
            account = await services.reset_password(token, str(data.get("password", "")))
        except DomainError as exc:
            response = render_form(
                "accounts/reset.html", values={}, errors=form_errors(exc), token=token
            )
            response.status_code = exc.status_code
            return response
        await sign_in(request, account)
        return Redirect("/")

    @post("/language")
    async def switch_language(self, request: Request) -> Redirect:
        data = await form_data(request)
        language = str(data.get("language", ""))
        account = account_of(request)
        if account is not None:
            await services.set_language(account, language)
        response = Redirect(_safe_next(str(data.get("next", "/"))))
        if language in ("en", "ar"):
            response.cookies.append(
                Cookie(key=LANGUAGE_COOKIE, value=language, max_age=365 * 86400, samesite="lax")
            )
        return response


class LoginBody(Struct):
    email: str
    password: str


class AccountOut(Struct):
    id: int
    email: str
    full_name: str
    role: str
    language: str
    timezone: str


def _account_out(account: services.Account) -> AccountOut:
    return AccountOut(
        id=account.id,
        email=account.email,
        full_name=account.full_name,
        role=account.role.value,
        language=account.language,
        timezone=account.timezone,
    )


@document_errors(rate_limited=True)
class SessionApi(Controller):
    """Cookie sessions for API clients (the same session as the pages)."""

    path = "/api/session"
    tags = ["session"]

    @post("/", status_code=200, summary="Sign in")
    async def create(self, request: Request, data: JSONBody[LoginBody]) -> AccountOut:
        await _limit(request, "login")
        account = await services.authenticate(data.email, data.password)
        if account is None:
            raise DomainError("wrong email or password", field="password")
        await sign_in(request, account)
        return _account_out(account)

    @get("/", guards=[requires_login], summary="The signed-in account")
    async def show(self, request: Request) -> AccountOut:
        account = account_of(request)
        assert account is not None
        return _account_out(account)

    @post("/logout", status_code=204, guards=[requires_login], summary="Sign out")
    async def delete(self, request: Request) -> None:
        rotate_session(request)
        request.clear_session()


class SignupBody(Struct):
    email: str
    full_name: str
    password: str
    privacy_notice: str
    language: str = "en"


class SignupSent(Struct):
    """The answer to every valid sign-up, whether or not the address has an account."""

    email: str
    detail: str


class ConfirmBody(Struct):
    token: str


@document_errors(rate_limited=True)
class SignupApi(Controller):
    """Doctor sign-up in two steps: a link is mailed, following it creates the account.

    ``privacy_notice`` is the version of the privacy notice (``GET
    /api/privacy-notice``) the person read and accepted. A valid sign-up
    always answers 202 with the same body: a new address gets the link, an
    address that has an account gets a mail telling its owner instead.
    """

    path = "/api/doctors/signup"
    tags = ["session"]

    @post("/", status_code=202, summary="Sign up as a doctor (mails a link to finish)")
    async def create(self, request: Request, data: JSONBody[SignupBody]) -> Response[SignupSent]:
        await _limit(request, "signup")
        form = signup.check_signup(
            signup.SignupForm(
                email=data.email,
                full_name=data.full_name,
                password=data.password,
                language=data.language,
                privacy_notice=data.privacy_notice,
            )
        )
        return Response(
            SignupSent(email=form.email, detail=SIGNUP_SENT),
            status_code=202,
            background=_after_answer(signup.request_signup, form, base_url=base_url(request)),
        )

    @post("/confirm", status_code=201, summary="Finish a sign-up with the mailed link's token")
    async def confirm(self, request: Request, data: JSONBody[ConfirmBody]) -> AccountOut:
        account = await signup.confirm_signup(data.token)
        await sign_in(request, account)
        return _account_out(account)
