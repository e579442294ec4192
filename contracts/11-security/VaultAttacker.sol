// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What the attacker needs to know about the vault.
interface IVault {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}

/// @title Re-enters Vault.withdraw() from receive() until the vault is empty.
contract VaultAttacker {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}
