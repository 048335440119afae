/** @jsxImportSource preact */
import { render } from "preact";
import { useState } from "preact/hooks";
import { App } from "./app";
import { Languages } from "./i18n";
import { accessToken } from "./session";
import { SignIn } from "./sign-in";

function Gate() {
  const [token, setToken] = useState(accessToken());
  return token ? <App /> : <SignIn onSignedIn={() => setToken(accessToken())} />;
}

const root = document.getElementById("console");
if (!root) throw new Error("index.html has no #console element");
render(
  <Languages>
    <Gate />
  </Languages>,
  root,
);
