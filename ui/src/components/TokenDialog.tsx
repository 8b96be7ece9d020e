// The "Hub token" dialog, shown when the hub answers 401: the token is kept
// in localStorage and sent with every request and on the live channel.

import { useState } from "preact/hooks";
import { getToken, setToken } from "../lib/api";
import { Dialog } from "./Dialog";
import { TextField } from "./Field";

export function TokenDialog({ message, onClose }: { message: string; onClose: () => void }) {
  const [value, setValue] = useState(getToken());
  const save = (e: Event) => {
    e.preventDefault();
    setToken(value.trim());
    onClose();
  };
  return (
    <Dialog title="Hub token" onClose={onClose}>
      <form onSubmit={save} class="form">
        <p class="muted">{message}</p>
        <TextField label="Token" type="password" autoComplete="off" value={value} onValue={setValue} required />
        <div class="actions">
          <button type="submit" class="primary">
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
