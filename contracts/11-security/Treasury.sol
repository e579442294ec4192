// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A club's treasury: it holds Ether and its owner pays it out.
/// @notice Level 11-security/initializer. Written to sit behind a proxy, so it has an
/// initialize() instead of a constructor; its deployer calls initialize() right after deploying.
contract Treasury {
    /// @notice Who may pay() out of the treasury.
    address public owner;

    event Initialized(address indexed owner);
    event Paid(address indexed to, uint256 amount);

    error NotOwner(address caller);
    error PaymentFailed(address to, uint256 amount);

    /// @notice Set the treasury's owner (the deployer calls it once, right after deploying).
    function initialize(address newOwner) external {
        owner = newOwner;
        emit Initialized(newOwner);
    }

    /// @notice Anyone may pay into the treasury.
    receive() external payable {}

    /// @notice The owner pays `amount` wei to `to`.
    function pay(address payable to, uint256 amount) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert PaymentFailed(to, amount);
        emit Paid(to, amount);
    }
}
