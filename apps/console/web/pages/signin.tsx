import { useState } from 'preact/hooks';
import { signIn } from '../api';
import { CommandForm, InputField } from '../ui';

/** The API key is exchanged for a token at once; only the token stays, for this tab's session. */
export function SignIn() {
  const [key, setKey] = useState('');
  return (
    <main id="main" class="signin">
      <h1>Deal Ledger</h1>
      <p>Sign in with your personal API key. It is exchanged for a token that lasts this browser session; the key itself is not stored.</p>
      <CommandForm label="Sign in" submit={() => signIn(key)} done={() => (location.hash = '#/inbox')}>
        <InputField
          label="API key"
          hint="dlk.… as issued by your company's administrator"
          name="apiKey"
          type="password"
          autoComplete="off"
          required
          value={key}
          onChange={setKey}
        />
      </CommandForm>
    </main>
  );
}
