// Whose session the tablet works under. "Se déconnecter" (the header's form, which the DSFR
// also copies into its mobile menu) is sent by fetch on the entry pages: offline, the
// browser would show its network error page, the logout would not happen, and the next
// person would work under the previous trainee's account without being told. Here the
// page says that logging out needs the network, and that the session is still open.

import { t } from "./messages.js";

export function guardLogout(root) {
  const logoutPath = new URL(root.dataset.logoutUrl, location.href).pathname;
  const notice = root.querySelector("[data-logout-offline]");
  document.addEventListener(
    "submit",
    async (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || new URL(form.action).pathname !== logoutPath) return;
      event.preventDefault();
      let response = null;
      try {
        response = await fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          cache: "no-store",
        });
      } catch {
        response = null;
      }
      if (response && (response.ok || response.redirected)) {
        location.assign(response.url); // the login page the logout led to
        return;
      }
      if (response) {
        form.submit(); // refused (CSRF…): let the browser show the server's answer
        return;
      }
      const message = t("logout_offline", { user: root.dataset.user });
      if (notice) {
        notice.querySelector("p").textContent = message;
        notice.hidden = false;
      }
      window.alert(message);
    },
    true,
  );
}
