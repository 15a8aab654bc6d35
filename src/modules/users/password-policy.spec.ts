import { passwordWeakness } from './password-policy';

describe('passwordWeakness', () => {
  it.each(['short', 'password1234', 'azertyuiop123', 'Parcours2026!', '111111111111'])('refuses %s', (pw) => {
    expect(passwordWeakness(pw)).not.toBeNull();
  });

  it('refuses a password built on the user name', () => {
    expect(passwordWeakness('camille.durand93', ['camille.durand@ali93.fr', 'Camille', 'Durand'])).not.toBeNull();
  });

  it('accepts a long unguessable passphrase', () => {
    expect(passwordWeakness('violet-tramway-figue-7-brume')).toBeNull();
  });
});
